/* Master rank: keeps every worker supplied (what goes out next: master_units.c), works on units itself when
   serving leaves it time, writes results in order (or tells workers where theirs go), starts and stops. */
#define _POSIX_C_SOURCE 200809L
#include "mf_master.h"
#include "mf_master_state.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mf_kernel_u128.h"
#include "mf_kernel_u64.h"
#include "mf_proto.h"
#include "mf_roles.h"
#include "mf_signals.h"
#include "mf_status.h"

#define MASTER_SLICE_S 0.5e-3 /* own compute seconds between message checks (mf_pace sets the candidates) */
#define ALONE_SLICE_S 10e-3   /* ... with no worker to serve (-np 1): signals and progress only */


/* ---- output side ---- */

/* Writes every result that is next in input order; a worker that holds one (--parallel-io) is told where
   its output goes. Once workers are stopping, stops at the first held result. */
static void write_ready(mf_master *m)
{
    mf_buf *res;
    while ((res = mf_order_ready(&m->order)) != NULL) {
        if (m->placing_closed && mf_result_is_held(res))
            break;
        mf_placement place;
        if (mf_sink_write(&m->sink, res, &place) != 0)
            mf_master_malformed(0);
        if (place.holder) {
            mf_buf_reset(&m->unit);
            mf_buf_put_u64(&m->unit, place.id);
            mf_buf_put_u64(&m->unit, place.offset);
            mf_proto_send(place.holder, MF_TAG_PLACE, &m->unit);
        }
        mf_order_advance(&m->order);
    }
    mf_sink_tick(&m->sink, mf_now());
}

static void on_message(mf_master *m, int src, int tag)
{
    if (tag == MF_TAG_RESULT && src > 0 && m->inflight[src] > 0) {
        m->inflight[src]--;
        if (mf_flights_pop(&m->flights, src, mf_now()) != 0)
            mf_master_malformed(src);
        mf_master_on_result(m, src, &m->msg);
    } else if (tag == MF_TAG_REST && src > 0 && m->inflight[src] > 0) {
        mf_master_on_rest(m, src, &m->msg);
    } else if (tag == MF_TAG_PLACED && src > 0) {
        uint64_t count = mf_buf_get_u64(&m->msg);
        if (m->msg.failed || mf_sink_confirm(&m->sink, src, count) != 0)
            mf_master_malformed(src);
    } else if (tag == MF_TAG_FAILED && src > 0) { /* a worker's I/O error: the run stops with exit 2 */
        fflush(stdout);
        fprintf(stderr, "mpifactor: %.*s\n", (int)m->msg.len, (const char *)m->msg.data);
        m->io_error = true;
    } else if (tag == MF_TAG_STATS && src > 0) {
        if (mf_codec_get_stats(&m->msg, &m->per_rank[src]) != 0)
            mf_master_malformed(src);
        m->inflight[src] = -1; /* finished */
    } else {
        mf_master_malformed(src);
    }
}

/* Takes in every message waiting. Returns true when there was one. */
static bool receive_all(mf_master *m)
{
    int src, tag;
    bool any = false;
    while (mf_proto_poll(&src, &tag, &m->msg)) {
        on_message(m, src, tag);
        any = true;
    }
    return any;
}

/* ---- hand-out and own work ---- */

/* Records the unit in m->unit as handed to rank w (before a send, which takes the buffer). */
static void flight_push(mf_master *m, int w)
{
    mf_unit_kind kind;
    uint64_t id;
    if (mf_unit_peek(&m->unit, &kind, &id) != 0)
        mf_master_malformed(0);
    bool text = kind == MF_UNIT_TEXT || kind == MF_UNIT_TEXT_REF; /* a slice by reference yields like one of bytes */
    if (mf_flights_push(&m->flights, w, id, text, mf_now()) != 0)
        mf_master_malformed(0);
}

/* When a hand-out found nothing for a rank that would otherwise idle (m->starved), asks the running text unit
   nearest the head of the output to hand back: its unstarted rest, and where a rank has nothing at all, its
   number in progress too (then split into ranges). Demand, not a unit's age, decides; a least age of a few
   service times only keeps a unit that has barely started from moving back and forth. A request that
   arrives after the unit ended is ignored. */
static void ask_yield(mf_master *m)
{
    int w;
    uint64_t id;
    bool starved = m->starved, own_idle = m->own_idle;
    m->starved = m->own_idle = false;
    /* a rest handed back is still waiting to go out: it serves the next free slot */
    if (m->ranks < 2 || !starved || mf_unitq_len(&m->requeued) > 0 || !mf_sched_may_yield(&m->sched))
        return; /* (map and static never ask) */
    /* a rank with nothing at all: a unit with no rest left splits its number; one still busy (a slot open):
       the unstarted rest only, cut off at once while the number in progress goes on (no candidate at risk) */
    bool split = own_idle;
    for (int r = 1; r < m->ranks && !split; r++)
        split = mf_flights_held(&m->flights, r) == 0;
    if (!mf_flights_pick_yield(&m->flights, &m->order, mf_now(), mf_sched_yield_age_s(&m->sched), split, &w, &id))
        return;
    m->run.yields_asked++;
    uint64_t split_least = split ? mf_sched_split_least(&m->sched) : 0;
    if (w == 0) {
        mf_runner_yield(&m->own, id, split_least);
        return;
    }
    mf_buf_reset(&m->unit);
    mf_buf_put_u64(&m->unit, id);
    mf_buf_put_u64(&m->unit, split_least);
    mf_proto_send(w, MF_TAG_YIELD, &m->unit);
}

/* With --parallel-io, marks a text unit (or one by reference) in m->unit for a worker: the worker keeps its
   output until told where it goes. */
static void prepare_for_worker(mf_master *m)
{
    if (m->sink.parallel && m->unit.len > 0 && (m->unit.data[0] == MF_UNIT_TEXT || m->unit.data[0] == MF_UNIT_TEXT_REF))
        mf_text_unit_set_hold(&m->unit);
}

/* Fills every worker up to its in-flight quota. Returns true when it sent anything. */
static bool dispatch(mf_master *m)
{
    bool sent = false;
    m->no_range = false;
    /* round-robin, one unit per worker and round, so few units still spread over all workers */
    int quota = mf_sched_in_flight(&m->sched);
    for (int round = 1; round <= quota; round++) {
        for (int w = 1; w < m->ranks; w++) {
            if (m->inflight[w] >= round)
                continue;
            if (!mf_master_next_unit(m, w)) {
                m->starved = true; /* a slot open and nothing to fill it: worker w idles soon */
                continue;
            }
            flight_push(m, w);
            prepare_for_worker(m);
            mf_proto_send(w, MF_TAG_UNIT, &m->unit);
            m->inflight[w]++;
            m->run.units++;
            sent = true;
        }
    }
    return sent;
}

/* Does one slice of the master's own work. Returns true when there was work to do. */
static bool own_work(mf_master *m)
{
    if (m->ranks > 1 && mf_sink_backlogged(&m->sink))
        return false; /* the output is the bottleneck: leave the CPU to what drains it */
    if (!m->own.active) {
        /* dispatch() has just filled every worker slot it could: what is left is rank 0's */
        if (!mf_master_next_unit(m, 0)) {
            m->starved = m->own_idle = m->ranks > 1;
            return false;
        }
        m->run.units++;
        flight_push(m, 0);
        m->own_by_ref = mf_text_ref_read(&m->unit, &m->own_ref) == 0;
        if (mf_pario_resolve(&m->pio, &m->unit) != 0) { /* a slice by reference: read it here too */
            mf_master_complain(m->pio.err);
            m->io_error = true;
            return false;
        }
        if (mf_runner_load(&m->own, &m->unit) != 0)
            mf_master_malformed(0);
    }
    if (m->ranks > 1)
        mf_runner_mark_cpu(&m->own); /* busy_cpu_s: the slice's CPU time, not the serving before it */
    bool finished = mf_runner_step_paced(&m->own, &m->own_pace);
    if (mf_runner_take_rest(&m->own, &m->rest)) {
        if (m->own_by_ref && mf_pario_rest_by_ref(&m->rest, &m->own_ref) != 0)
            mf_master_malformed(0);
        mf_master_on_rest(m, 0, &m->rest);
    }
    if (finished) {
        m->self.busy_s += m->own.busy_s;
        m->self.busy_cpu_s += m->own.cpu_s;
        m->self.units++;
        m->self.ranges += m->own.u.kind == MF_UNIT_RANGE;
        m->self.numbers += m->own.numbers + m->own.suspended; /* a split number counts where it started */
        m->self.candidates += m->own.candidates;
        mf_flights_pop(&m->flights, 0, mf_now());
        mf_master_on_result(m, 0, &m->own.result);
    }
    return true;
}

/* ---- start and stop ---- */

/* The kernel's seconds per candidate on this CPU: the fastest of three timings of 65536 candidates that divide
   no number (2^61 - 1 is prime), after one untimed pass that grows the inverse table. Tens of microseconds
   once; it prices the first units' worst case (mf_sched_observe_kernel), which no unit has measured yet. */
static double time_kernel(void)
{
    const uint64_t prime = (UINT64_C(1) << 61) - 1, lo = 3, hi = lo + 2 * (65536 - 1);
    double best = -1;
    for (int pass = 0; pass < 4; pass++) {
        double t0 = mf_now();
        if (mf_u64_find_divisor(prime, lo, hi) != 0)
            return -1;
        double t = mf_now() - t0;
        if (pass > 0 && (best < 0 || t < best))
            best = t;
    }
    return best / 65536;
}

static bool stop_requested(mf_master *m, double start)
{
    if (mf_signals_pending() || (m->cfg->time_limit > 0 && mf_now() - start >= m->cfg->time_limit)) {
        m->interrupted = true;
        return true;
    }
    return false;
}

/* Skips the numbers a previous run finished (their bad tokens are reported again). */
static int skip_done(mf_master *m, uint64_t done)
{
    int rc = mf_input_skip(&m->in, done, m->err, sizeof m->err);
    if (rc > 0)
        fprintf(stderr, "mpifactor: %s: %s\n", m->cfg->checkpoint, m->err);
    else if (rc < 0)
        mf_master_complain(m->err);
    return rc ? -1 : 0;
}

/* Stops every worker, collecting their last results and statistics. */
static void stop_workers(mf_master *m, int exit_code)
{
    m->placing_closed = true; /* placements already sent reach each worker before its STOP */
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
    mf_sink_confirm_all(&m->sink); /* a worker writes and syncs its placements before its statistics */
}

static int exit_code_of(const mf_master *m)
{
    if (m->io_error || m->sink.io_error)
        return MF_EXIT_USAGE;
    if (m->sink.verify_failures)
        return MF_EXIT_VERIFY;
    if (m->interrupted)
        return MF_EXIT_INTERRUPTED;
    if (m->in.invalid || m->sink.invalid)
        return MF_EXIT_INVALID;
    if (m->sink.unfactored)
        return MF_EXIT_UNFACTORED; /* precedence: include/mf_status.h */
    return MF_EXIT_OK;
}

static void write_stats(mf_master *m, double wall, double cpu, int exit_code)
{
    m->self.cpu_s = cpu;
    m->self.bytes_sent = mf_proto_bytes_sent();
    m->self.bytes_received = mf_proto_bytes_received();
    m->per_rank[0] = m->self;
    m->run.numbers_split = m->splits.started;
    m->run.wasted_candidates = m->splits.wasted;
    m->run.grain_s = mf_sched_grain_s(&m->sched);
    m->run.schedule = mf_schedule_name(m->sched.policy);
    m->run.version = MF_VERSION;
    m->run.kernel = mf_u64_kernel_name();
    m->run.kernel128 = mf_u128_kernel_name();
    m->run.ranks = m->ranks;
    m->run.parallel_io = m->sink.parallel;
    m->run.wall_s = wall;
    m->run.numbers = m->sink.written_now;
    m->run.invalid_tokens = m->in.invalid + m->sink.invalid;
    m->run.unfactored = m->sink.unfactored;
    m->run.exit_code = exit_code;
    mf_stats_write_file(m->cfg->stats_path, &m->run, m->per_rank);
}

int mf_master_run(const mf_config *cfg, int ranks)
{
    double start = mf_now(), cpu_start = mf_process_cpu_now();
    mf_master m;
    memset(&m, 0, sizeof m);
    m.cfg = cfg;
    m.ranks = ranks;
    m.sink.out_fd = -1;
    mf_rank_stats_init(&m.self, 0);
    m.inflight = calloc((size_t)ranks, sizeof *m.inflight);
    m.per_rank = calloc((size_t)ranks, sizeof *m.per_rank);
    if (!m.inflight || !m.per_rank || mf_flights_init(&m.flights, ranks) != 0) {
        mf_master_complain("out of memory");
        mf_proto_abort(MF_EXIT_INTERNAL);
    }
    mf_sched_init(&m.sched, ranks, cfg->unit_size);
    mf_sched_set_policy(&m.sched, cfg->schedule);
    if (ranks > 1)
        mf_sched_observe_kernel(&m.sched, time_kernel());
    mf_order_init(&m.order);
    m.window = mf_sched_window(ranks);
    mf_runner_opts opts = {
        .max_divisor = cfg->max_divisor, .format = cfg->format, .verify = cfg->verify,
        .yieldable = ranks > 1, .paths = cfg->inputs, .npaths = cfg->ninputs,
    };
    mf_runner_init(&m.own, &opts);
    if (ranks > 1)
        mf_pace_init(&m.own_pace, MASTER_SLICE_S, UINT64_C(1) << 18);
    else
        mf_pace_init(&m.own_pace, ALONE_SLICE_S, UINT64_C(1) << 23);
    mf_buf_init(&m.unit);
    mf_buf_init(&m.msg);
    mf_buf_init(&m.rest);
    mf_factored_init(&m.partial);
    mf_value_init(&m.value);
    mf_splits_init(&m.splits);
    mf_unitq_init(&m.requeued);
    mf_progress_init(&m.progress, mf_progress_wanted(cfg->progress) ? stderr : NULL, start);

    uint64_t resume_done = 0;
    bool roles_clash = false; /* two roles on one file: nothing may be written, not even --stats */
    if (mf_input_open(&m.in, cfg->inputs, cfg->ninputs, stderr, m.err, sizeof m.err) != 0) {
        mf_master_complain(m.err);
        m.io_error = true;
    } else if (mf_roles_check(cfg, m.err, sizeof m.err) != 0) { /* before the checkpoint lock and the output */
        mf_master_complain(m.err);
        m.io_error = roles_clash = true;
    } else if (mf_sched_wants_line_count(&m.sched) && !m.in.all_regular) { /* before the output is created */
        mf_master_complain("--schedule static needs regular input files: it divides their lines among the ranks "
                           "before it starts (save a pipe or standard input to a file first)");
        m.io_error = true;
    } else if (mf_sink_open(&m.sink, cfg, ranks, &resume_done, start) != 0 || skip_done(&m, resume_done) != 0) {
        m.io_error = true;
    } else if (mf_sched_wants_line_count(&m.sched)) { /* the lines left (after a resumed prefix), one chunk each */
        uint64_t lines;
        if (mf_input_count_lines_left(&m.in, &lines) != 0) {
            mf_master_complain("--schedule static: cannot count the input's lines");
            m.io_error = true;
        } else {
            mf_sched_divide(&m.sched, lines);
        }
    }
    if (mf_pario_init(&m.pio, cfg, 0) != 0) {
        mf_master_complain("out of memory");
        mf_proto_abort(MF_EXIT_INTERNAL);
    }
    m.by_ref = m.sink.parallel && m.in.all_regular;
    if (!m.io_error && m.progress.f)
        mf_input_count_ahead(&m.in, MF_PROGRESS_COUNT_BYTES); /* the progress line's exact total */
    m.in.count_tokens = m.progress.f && !m.in.counted_ahead; /* only the progress line's estimate reads them */

    mf_idler idle;
    mf_idler_busy(&idle);
    while (!m.io_error && !m.sink.io_error && !stop_requested(&m, start)) {
        double served_from = mf_now();
        bool received = receive_all(&m);
        write_ready(&m);
        bool busy = dispatch(&m);
        if (received || busy) { /* rank 0's service time per unit sets the grain (mf_sched.h) */
            m.service_s += mf_now() - served_from;
            mf_sched_observe_service(&m.sched, m.service_s, m.run.units);
        }
        if (m.input_done && mf_order_live(&m.order) == 0)
            break; /* everything read, handed out, returned and written */
        if (!busy) /* rank 0's own work only when serving left it nothing to do: at scale it serves first */
            busy = own_work(&m);
        ask_yield(&m);
        mf_proto_progress();
        /* the total: the tokens of the whole input counted ahead (files up to MF_PROGRESS_COUNT_BYTES), else the
           resumed prefix and the tokens of the input cut so far scaled by the share of its bytes cut ("~"),
           exact once all is cut; less the invalid tokens reported */
        uint64_t bad = m.in.invalid + m.sink.invalid, known = m.in.counted_ahead ? m.in.tokens_ahead
                                                                : m.sink.written - m.sink.written_now + m.in.tokens + m.in.invalid;
        mf_progress_update(&m.progress, mf_now(), m.sink.written, known > bad ? known - bad : 0,
                           m.in.counted_ahead || m.input_done ? 1
                           : m.in.bytes_total ? (double)mf_input_consumed(&m.in) / (double)m.in.bytes_total : -1);
        if (busy || received) { /* a result in: more are due */
            mf_idler_busy(&idle);
        } else {
            double t0 = mf_now();
            mf_idler_nap(&idle);
            m.self.idle_s += mf_now() - t0;
        }
    }
    if (!m.interrupted && m.input_done && !m.io_error)
        mf_sink_note_finished(&m.sink);
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
    double wall = mf_now() - start, cpu = mf_process_cpu_now() - cpu_start;
    mf_progress_finish(&m.progress, mf_now(), m.sink.written);
    if (cfg->stats_path && !roles_clash)
        write_stats(&m, wall, cpu, code);

    mf_input_close(&m.in); /* also right after a failed open */
    mf_pario_free(&m.pio);
    mf_runner_free(&m.own);
    mf_order_free(&m.order);
    mf_unitq_free(&m.requeued);
    mf_splits_free(&m.splits);
    mf_value_clear(&m.value);
    mf_buf_free(&m.unit);
    mf_buf_free(&m.msg);
    mf_buf_free(&m.rest);
    mf_buf_free(&m.sink.out);
    mf_factored_clear(&m.partial);
    free(m.inflight);
    free(m.per_rank);
    mf_flights_free(&m.flights);
    return code;
}
