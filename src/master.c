/* Master rank: cuts the input into text units, keeps every worker supplied (ranges of split numbers at the
   head of the line first), works on units itself between message checks, and writes results in order. */
#define _POSIX_C_SOURCE 200809L
#include "mf_master.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mf_codec.h"
#include "mf_flights.h"
#include "mf_input.h"
#include "mf_kernel_u128.h"
#include "mf_kernel_u64.h"
#include "mf_order.h"
#include "mf_output.h"
#include "mf_progress.h"
#include "mf_proto.h"
#include "mf_runner.h"
#include "mf_sched.h"
#include "mf_signals.h"
#include "mf_sink.h"
#include "mf_splits.h"
#include "mf_stats.h"
#include "mf_status.h"
#include "mf_unitq.h"
#include "mf_verify.h"

#define MASTER_SLICE (UINT64_C(1) << 18) /* own candidates between message checks */
#define ALONE_SLICE (UINT64_C(1) << 23)  /* ... with no worker to serve (-np 1): signals and progress only */

typedef struct master {
    const mf_config *cfg;
    int ranks;
    mf_input in;
    bool input_done;
    mf_sched sched;
    mf_order order;
    uint64_t window;          /* segments allowed before new input is read */
    mf_unitq requeued;        /* handed-back rests, encoded units waiting to go out again */
    mf_splits splits;         /* numbers split into candidate ranges */
    int *inflight;            /* units held by each worker, -1 once it stopped */
    mf_flights flights;       /* the units each rank holds (rank 0: its own), for early hand-backs */
    mf_runner own;            /* the master's own unit */
    mf_buf unit;              /* a unit being built */
    mf_buf msg;               /* a received message */
    mf_factored partial;
    mf_value value;
    mf_sink sink;
    mf_progress progress;
    mf_rank_stats self;
    mf_rank_stats *per_rank;
    mf_run_stats run;
    bool io_error, interrupted;
    bool no_range;            /* no range could go out in this round of hand-outs (none can until one reports) */
    char err[512];
} master;

static void complain(const char *msg)
{
    fprintf(stderr, "mpifactor: %s\n", msg);
}

static void malformed(int src)
{
    fprintf(stderr, "mpifactor: malformed or unexpected message from rank %d\n", src);
    mf_proto_abort(MF_EXIT_INTERNAL);
}

/* ---- output side ---- */

/* Writes every result that is next in input order. */
static void write_ready(master *m)
{
    mf_buf *res;
    while ((res = mf_order_ready(&m->order)) != NULL) {
        if (mf_sink_write(&m->sink, res) != 0)
            malformed(0);
        mf_order_advance(&m->order);
    }
    mf_sink_tick(&m->sink, mf_now());
}

/* Stores the final factorization of a split number as the result of its segment. */
static void put_split_result(master *m, uint64_t seg, const mf_factored *f)
{
    mf_buf b;
    mf_buf_init(&b);
    mf_buf msgs;
    mf_buf_init(&msgs);
    uint64_t failures = 0;
    if (m->cfg->verify && mf_verify(f, m->err, sizeof m->err) != 0) {
        mf_buf_put_str(&msgs, "mpifactor: ");
        mf_buf_put_str(&msgs, m->err);
        mf_buf_put_u8(&msgs, '\n');
        failures = 1;
    }
    mf_text_result_begin(&b, seg);
    mf_output_record(&b, m->cfg->format, f);
    mf_text_result_end(&b, 0, 0, &msgs, 1, 0, failures, 0, 0, NULL, 0, 0, 0, NULL, 0, 0, 0);
    if (mf_order_put(&m->order, seg, &b) != 0)
        malformed(0);
    mf_buf_free(&b);
    mf_buf_free(&msgs);
}

/* ---- split numbers ---- */

/* Splits the number a unit suspended; its output goes to segment seg. */
static void start_split(master *m, uint64_t seg, const mf_result_info *r)
{
    mf_sched_observe_candidates(&m->sched, r->number_candidates, r->number_busy_s);
    const mf_split *sp = mf_splits_start(&m->splits, &m->order, seg, &m->partial, r->next_p, m->cfg->max_divisor);
    if (!sp)
        malformed(0);
    if (mf_split_done(sp))
        put_split_result(m, seg, &sp->result);
}

/* Merges a range result into its split; the number's result is stored once it is complete. */
static void on_range_result(master *m, int src, const mf_result_info *r)
{
    uint64_t *div = malloc((r->ndivisors ? r->ndivisors : 1) * sizeof *div);
    if (!div)
        abort();
    for (size_t k = 0; k < r->ndivisors; k++)
        div[k] = mf_result_divisor(r, k);
    const mf_split *done = NULL;
    uint64_t seg = 0;
    int rc = mf_splits_report(&m->splits, r->id, r->lo, r->hi, div, r->ndivisors, r->candidates, &done, &seg);
    free(div);
    if (rc < 0)
        malformed(src);
    mf_sched_observe_candidates(&m->sched, r->candidates, r->busy_s);
    if (rc == 1)
        put_split_result(m, seg, &done->result);
}

/* Ranges of one split number in flight at most. While other work waits (input to cut, rests handed back),
   one: the number goes on range after range like on a single rank, and no candidate beyond its factors is
   tested in vain. Once nothing else is left, every worker slot and one for rank 0's own work. */
static size_t max_ranges_out(const master *m)
{
    bool input_waits = !m->input_done && mf_order_live(&m->order) < m->window;
    if (input_waits || mf_unitq_len(&m->requeued) > 0)
        return 1;
    return (size_t)(m->ranks - 1) * MF_UNITS_IN_FLIGHT + 1;
}

/* Builds a range unit of the split number closest to the head of the output into m->unit, if any. Within one
   round of hand-outs (m->no_range cleared at its start) a failed search is not repeated: handing out only
   makes ranges scarcer, and on many ranks each search walks the whole output order. */
static bool next_range(master *m)
{
    uint64_t id, lo, hi;
    mpz_srcptr cofactor;
    if (m->no_range)
        return false;
    m->no_range = true;
    if (!mf_splits_next_range(&m->splits, &m->order, mf_sched_range_width(&m->sched), max_ranges_out(m), &id, &lo,
                              &hi, &cofactor))
        return false;
    m->no_range = false;
    mf_value_set_mpz(&m->value, cofactor);
    mf_range_unit_put(&m->unit, id, &m->value, lo, hi);
    return true;
}

/* ---- input side ---- */

/* Input bytes not yet handed out, or -1 when unknown. */
static double remaining_bytes(const master *m)
{
    uint64_t consumed = mf_input_consumed(&m->in);
    if (m->in.bytes_total == 0)
        return -1;
    return consumed >= m->in.bytes_total ? 0 : (double)(m->in.bytes_total - consumed);
}

/* Cuts the next slice of input into a text unit in m->unit. Returns true when there is one. */
static bool next_slice(master *m)
{
    if (m->input_done || m->io_error || mf_order_live(&m->order) >= m->window)
        return false;
    if (m->sched.cost_per_byte < 0 && m->sched.fixed_lines == 0) /* first units: sized by their numbers' length */
        mf_sched_observe_lines(&m->sched, mf_input_line_length(&m->in));
    size_t target = mf_sched_next_bytes(&m->sched, remaining_bytes(m));
    mf_slice_info info;
    for (;;) {
        mf_text_unit_begin(&m->unit, 0, 0, 0, 0);
        int rc = mf_input_slice(&m->in, &m->unit, target, m->sched.fixed_lines, &info, m->err, sizeof m->err);
        if (rc == MF_INPUT_INTERRUPTED) {
            if (mf_signals_pending())
                return false; /* the main loop sees the signal and stops */
            continue;
        }
        if (rc < 0) {
            complain(m->err);
            m->io_error = true;
        }
        if (rc <= 0) {
            m->input_done = true;
            return false;
        }
        mf_text_unit_set_header(&m->unit, mf_order_append(&m->order), info.file, info.line, info.in_comment);
        return true;
    }
}

/* Builds the next unit to hand out into m->unit: ranges at the head of the line first, then rests handed
   back, then new input. */
static bool next_unit(master *m)
{
    if (next_range(m))
        return true;
    if (mf_unitq_pop(&m->requeued, &m->unit))
        return true;
    return next_slice(m);
}

/* Queues the handed-back rest of a text unit as a new unit placed right after segment `after`. */
static void requeue_rest(master *m, uint64_t after, const mf_result_info *r)
{
    uint64_t seg = mf_order_insert_after(&m->order, after);
    mf_buf *b = mf_unitq_push(&m->requeued);
    mf_text_unit_begin(b, seg, r->file, r->rest_line, r->rest_in_comment);
    mf_buf_put(b, r->rest, r->rest_len);
}

/* ---- results ---- */

/* Takes in a finished unit's result (swapped out of *b). */
static void on_result(master *m, int src, mf_buf *b)
{
    mf_result_info r;
    if (mf_result_read(b, &r, &m->partial) != 0)
        malformed(src);
    if (r.kind == MF_UNIT_RANGE) {
        on_range_result(m, src, &r);
        return;
    }
    mf_sched_observe(&m->sched, r.bytes, r.busy_s - r.number_busy_s);
    if (r.escalated || r.has_rest) {
        m->run.units_handed_back++;
        uint64_t after = r.id;
        if (r.escalated) {
            after = mf_order_insert_after(&m->order, r.id);
            if (after == MF_ORDER_NONE)
                malformed(src);
            start_split(m, after, &r);
        }
        if (r.has_rest)
            requeue_rest(m, after, &r);
        b->len = r.tail; /* the sink sees the unit's own records only */
        mf_buf_put_u8(b, 0);
        mf_buf_put_u8(b, 0);
    }
    if (mf_order_put(&m->order, r.id, b) != 0)
        malformed(src);
}

static void on_message(master *m, int src, int tag)
{
    if (tag == MF_TAG_RESULT && src > 0 && m->inflight[src] > 0) {
        m->inflight[src]--;
        if (mf_flights_pop(&m->flights, src, mf_now()) != 0)
            malformed(src);
        on_result(m, src, &m->msg);
    } else if (tag == MF_TAG_STATS && src > 0) {
        if (mf_codec_get_stats(&m->msg, &m->per_rank[src]) != 0)
            malformed(src);
        m->inflight[src] = -1; /* finished */
    } else {
        malformed(src);
    }
}

static void receive_all(master *m)
{
    int src, tag;
    while (mf_proto_poll(&src, &tag, &m->msg))
        on_message(m, src, tag);
}

/* ---- hand-out and own work ---- */

/* Records the unit in m->unit as handed to rank w (before a send, which takes the buffer). */
static void flight_push(master *m, int w)
{
    mf_unit_kind kind;
    uint64_t id;
    if (mf_unit_peek(&m->unit, &kind, &id) != 0 || mf_flights_push(&m->flights, w, id, kind == MF_UNIT_TEXT, mf_now()) != 0)
        malformed(0);
}

/* At the tail, while a rank idles with nothing to hand out, asks the text unit that has run longest (at least
   MF_SCHED_YIELD_S) to hand back now: its rest and its number in progress (then split into ranges) go to the
   idle ranks. A request that arrives after the unit ended is ignored. */
static void ask_yield(master *m)
{
    int w;
    uint64_t id;
    /* only once all input is cut and no rest waits: a rank that idles earlier waits for the window of
       results to move, and splitting more numbers then would only fill it further */
    if (m->ranks < 2 || !m->input_done || mf_unitq_len(&m->requeued) > 0 ||
        !mf_flights_pick_yield(&m->flights, mf_now(), MF_SCHED_YIELD_S, &w, &id))
        return;
    if (w == 0) {
        mf_runner_yield(&m->own, id);
        return;
    }
    mf_buf_reset(&m->unit);
    mf_buf_put_u64(&m->unit, id);
    mf_proto_send(w, MF_TAG_YIELD, &m->unit);
}

/* Fills every worker up to its in-flight quota. Returns true when it sent anything. */
static bool dispatch(master *m)
{
    bool sent = false;
    m->no_range = false;
    /* round-robin, one unit per worker and round, so few units still spread over all workers */
    for (int round = 1; round <= MF_UNITS_IN_FLIGHT; round++) {
        for (int w = 1; w < m->ranks; w++) {
            if (m->inflight[w] >= round || !next_unit(m))
                continue;
            flight_push(m, w);
            mf_proto_send(w, MF_TAG_UNIT, &m->unit);
            m->inflight[w]++;
            m->run.units++;
            sent = true;
        }
    }
    return sent;
}

/* Does one slice of the master's own work. Returns true when there was work to do. */
static bool own_work(master *m)
{
    if (!m->own.active) {
        /* dispatch() has just filled every worker slot it could: what is left is rank 0's */
        if (!next_unit(m))
            return false;
        m->run.units++;
        flight_push(m, 0);
        if (mf_runner_load(&m->own, &m->unit) != 0)
            malformed(0);
    }
    if (mf_runner_step(&m->own, m->ranks > 1 ? MASTER_SLICE : ALONE_SLICE)) {
        m->self.busy_s += m->own.busy_s;
        m->self.units++;
        m->self.ranges += m->own.u.kind == MF_UNIT_RANGE;
        m->self.numbers += m->own.numbers + m->own.suspended; /* a split number counts where it started */
        m->self.candidates += m->own.candidates;
        mf_flights_pop(&m->flights, 0, mf_now());
        on_result(m, 0, &m->own.result);
    }
    return true;
}

/* ---- start and stop ---- */

static bool stop_requested(master *m, double start)
{
    if (mf_signals_pending() || (m->cfg->time_limit > 0 && mf_now() - start >= m->cfg->time_limit)) {
        m->interrupted = true;
        return true;
    }
    return false;
}

/* Skips the numbers a previous run finished (their bad tokens are reported again). */
static int skip_done(master *m, uint64_t done)
{
    int rc = mf_input_skip(&m->in, done, m->err, sizeof m->err);
    if (rc > 0)
        fprintf(stderr, "mpifactor: %s: %s\n", m->cfg->checkpoint, m->err);
    else if (rc < 0)
        complain(m->err);
    return rc ? -1 : 0;
}

/* Stops every worker, collecting their last results and statistics. */
static void stop_workers(master *m, int exit_code)
{
    for (int w = 1; w < m->ranks; w++) {
        mf_buf_reset(&m->unit);
        mf_buf_put_u32(&m->unit, (uint32_t)exit_code);
        mf_proto_send(w, MF_TAG_STOP, &m->unit);
    }
    for (;;) {
        int left = 0;
        for (int w = 1; w < m->ranks; w++)
            left += m->inflight[w] >= 0;
        if (!left)
            break;
        int src, tag;
        if (mf_proto_poll(&src, &tag, &m->msg))
            on_message(m, src, tag);
        else
            mf_nap(100e-6);
        mf_proto_progress();
    }
    mf_proto_flush();
}

static int exit_code_of(const master *m)
{
    if (m->io_error || m->sink.io_error)
        return MF_EXIT_USAGE;
    if (m->sink.verify_failures)
        return MF_EXIT_VERIFY;
    if (m->interrupted)
        return MF_EXIT_INTERRUPTED;
    if (m->in.invalid || m->sink.invalid)
        return MF_EXIT_INVALID;
    return MF_EXIT_OK;
}

static void write_stats(master *m, double wall, int exit_code)
{
    m->self.bytes_sent = mf_proto_bytes_sent();
    m->self.bytes_received = mf_proto_bytes_received();
    m->per_rank[0] = m->self;
    m->run.numbers_split = m->splits.started;
    m->run.wasted_candidates = m->splits.wasted;
    m->run.version = MF_VERSION;
    m->run.kernel = mf_u64_kernel_name();
    m->run.kernel128 = mf_u128_kernel_name();
    m->run.ranks = m->ranks;
    m->run.wall_s = wall;
    m->run.numbers = m->sink.written_now;
    m->run.invalid_tokens = m->in.invalid + m->sink.invalid;
    m->run.exit_code = exit_code;
    mf_stats_write_file(m->cfg->stats_path, &m->run, m->per_rank);
}

int mf_master_run(const mf_config *cfg, int ranks)
{
    double start = mf_now();
    master m;
    memset(&m, 0, sizeof m);
    m.cfg = cfg;
    m.ranks = ranks;
    m.sink.out_fd = -1;
    mf_rank_stats_init(&m.self, 0);
    m.inflight = calloc((size_t)ranks, sizeof *m.inflight);
    m.per_rank = calloc((size_t)ranks, sizeof *m.per_rank);
    if (!m.inflight || !m.per_rank || mf_flights_init(&m.flights, ranks) != 0) {
        complain("out of memory");
        mf_proto_abort(MF_EXIT_INTERNAL);
    }
    mf_sched_init(&m.sched, ranks, cfg->unit_size);
    mf_order_init(&m.order);
    m.window = mf_sched_window(ranks);
    mf_runner_opts opts = {
        .max_divisor = cfg->max_divisor, .format = cfg->format, .verify = cfg->verify,
        .handback_s = ranks > 1 ? MF_SCHED_HANDBACK_S : 0, .paths = cfg->inputs, .npaths = cfg->ninputs,
    };
    mf_runner_init(&m.own, &opts);
    mf_buf_init(&m.unit);
    mf_buf_init(&m.msg);
    mf_factored_init(&m.partial);
    mf_value_init(&m.value);
    mf_splits_init(&m.splits);
    mf_unitq_init(&m.requeued);
    mf_progress_init(&m.progress, mf_progress_wanted(cfg->progress) ? stderr : NULL, start);

    uint64_t resume_done = 0;
    if (mf_input_open(&m.in, cfg->inputs, cfg->ninputs, stderr, m.err, sizeof m.err) != 0) {
        complain(m.err);
        m.io_error = true;
    } else if (mf_sink_open(&m.sink, cfg, &resume_done, start) != 0 || skip_done(&m, resume_done) != 0) {
        m.io_error = true;
    }
    uint64_t resume_bytes = m.io_error ? 0 : mf_input_consumed(&m.in); /* the input a previous run finished */

    double nap = 20e-6;
    while (!m.io_error && !m.sink.io_error && !stop_requested(&m, start)) {
        receive_all(&m);
        write_ready(&m);
        bool busy = dispatch(&m);
        if (m.input_done && mf_order_live(&m.order) == 0)
            break; /* everything read, handed out, returned and written */
        busy |= own_work(&m);
        ask_yield(&m);
        mf_proto_progress();
        /* numbers are counted by the workers: the total is estimated from the input bytes of the
           numbers written so far */
        mf_progress_update(&m.progress, mf_now(), m.sink.written, m.sink.written,
                           m.in.bytes_total ? (double)(resume_bytes + m.sink.input_bytes) / (double)m.in.bytes_total : -1);
        if (busy) {
            nap = 20e-6;
        } else {
            double t0 = mf_now();
            mf_nap(nap);
            if (nap < 1e-3)
                nap *= 2;
            m.self.idle_s += mf_now() - t0;
        }
    }
    if (m.interrupted)
        fprintf(stderr, "mpifactor: stopping (%s); %s\n",
                mf_signals_pending() ? "signal received" : "time limit reached",
                m.sink.have_ckpt ? "run the same command again to resume" : "use --checkpoint to make runs resumable");
    int code = exit_code_of(&m);
    stop_workers(&m, code);
    if (!m.io_error && !m.sink.io_error)
        write_ready(&m); /* results that arrived while stopping */
    int close_rc = m.sink.out_fd >= 0 || m.sink.have_ckpt ? mf_sink_close(&m.sink, mf_now()) : 0;
    code = exit_code_of(&m);
    if (close_rc != 0)
        code = MF_EXIT_USAGE;
    double wall = mf_now() - start;
    mf_progress_finish(&m.progress, mf_now(), m.sink.written);
    if (cfg->stats_path)
        write_stats(&m, wall, code);

    mf_input_close(&m.in); /* also right after a failed open */
    mf_runner_free(&m.own);
    mf_order_free(&m.order);
    mf_unitq_free(&m.requeued);
    mf_splits_free(&m.splits);
    mf_value_clear(&m.value);
    mf_buf_free(&m.unit);
    mf_buf_free(&m.msg);
    mf_buf_free(&m.sink.out);
    mf_factored_clear(&m.partial);
    free(m.inflight);
    free(m.per_rank);
    mf_flights_free(&m.flights);
    return code;
}
