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

#define MASTER_SLICE_S 0.5e-3 /* own compute seconds between message checks (mf_pace sets the candidates); with
                                 node leaders MF_SERVER_SLICE_S */
#define ALONE_SLICE_S 10e-3   /* ... with no worker to serve (-np 1): signals and progress only */
/* seconds of taking in results before the loop writes and hands out again. SIMULATED, random40 at 1024 ranks:
   rank 0 once took in 186 results in one go (0.92 ms, 5 us each) while the leaders whose slices had come back
   waited for the last 2% of the input. With this and MF_SERVER_SLICE_S: 8.97 simulated ms against 9.73 (six
   interleaved pairs) */
#define MASTER_RECEIVE_S 0.1e-3


/* ---- output side ---- */

/* Writes every result that is next in input order; a worker that holds one (--parallel-io) is told where
   its output goes. Once workers are stopping, stops at the first held result. */
static void write_ready(mf_master *m)
{
    mf_buf *res;
    mf_proto_hold(); /* the placements it sends are posted together, after the last write */
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
    mf_proto_release();
    mf_sink_tick(&m->sink, mf_now());
}

static void on_message(mf_master *m, int src, int tag)
{
    if (mf_master_on_kid(m, src, tag))
        return;
    if (tag == MF_TAG_PLACED && mf_master_is_kid(m, src)) {
        uint64_t count = mf_buf_get_u64(&m->msg);
        if (m->msg.failed || mf_sink_confirm(&m->sink, src, count) != 0)
            mf_master_malformed(src);
    } else {
        mf_master_malformed(src);
    }
}

/* Takes in the messages waiting, for MASTER_RECEIVE_S at most: the loop then writes and hands out before it
   takes the rest. Returns true when there was one. */
static bool receive_waiting(mf_master *m)
{
    int src, tag;
    bool any = false;
    double from = mf_now();
    while (mf_proto_poll(&src, &tag, &m->msg)) {
        on_message(m, src, tag);
        any = true;
        if (mf_now() - from >= MASTER_RECEIVE_S)
            break;
    }
    return any;
}

/* ---- hand-out and own work ---- */

/* ---- start and stop ---- */

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
    mf_master_stop_kids(m, exit_code, on_message);
    mf_proto_flush();
    mf_sink_confirm_all(&m->sink); /* a worker writes and syncs its placements before its statistics */
}

/* Whether rank 0, serving node leaders, takes no new unit of its own (mf_sched_serve_only) over its serving so
   far (mf_rank0_service_s). */
static bool serving_most(const mf_master *m, double start, int ranks)
{
    if (!m->weight)
        return false;
    double so_far = mf_now() - start;
    return mf_sched_serve_only(mf_rank0_service_s(&m->self, so_far), so_far, ranks);
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
    m->self.parent = -1;
    m->self.units_served = m->run.units - m->self.units;
    m->self.numbers_split = m->run.numbers_split = m->splits.started;
    m->self.wasted_candidates = m->splits.wasted;
    m->per_rank[0] = m->self;
    m->run.wasted_candidates = 0; /* every level's: rank 0's splits and each leader's */
    for (int i = 0; i < m->ranks; i++)
        m->run.wasted_candidates += m->per_rank[i].wasted_candidates;
    m->run.grain_s = mf_sched_grain_s(&m->sched);
    m->run.schedule = mf_schedule_name(m->sched.policy);
    m->run.version = MF_VERSION;
    m->run.kernel = mf_u64_kernel_name();
    m->run.kernel128 = mf_u128_kernel_name();
    m->run.ranks = m->ranks;
    m->run.parallel_io = m->sink.parallel;
    m->run.leaders = 0;
    for (int k = 0; k < m->nkids; k++)
        m->run.leaders += m->weight && m->weight[m->kids[k]] > 1;
    m->run.wall_s = wall;
    m->run.numbers = m->sink.written_now;
    m->run.invalid_tokens = m->in.invalid + m->sink.invalid;
    m->run.unfactored = m->sink.unfactored;
    m->run.exit_code = exit_code;
    mf_stats_write_file(m->cfg->stats_path, &m->run, m->per_rank);
}

void mf_master_prepare(void)
{
    mf_master_time_kernel(); /* kept for mf_master_run (mf_sched_observe_kernel) */
}

int mf_master_run(const mf_config *cfg, int ranks, const mf_team *team)
{
    double start = mf_now(), cpu_start = mf_process_cpu_now();
    mf_master m;
    if (mf_master_start(&m, cfg, ranks, team, 0) != 0 || !(m.per_rank = calloc((size_t)ranks, sizeof *m.per_rank))) {
        mf_master_complain("out of memory");
        mf_proto_abort(MF_EXIT_INTERNAL);
    }
    mf_sched_init(&m.sched, ranks, cfg->unit_size);
    mf_sched_set_served(&m.sched, m.nkids + 1);
    mf_sched_set_policy(&m.sched, cfg->schedule);
    if (ranks > 1)
        mf_sched_observe_kernel(&m.sched, mf_master_time_kernel());
    m.window = mf_sched_window(ranks);
    if (ranks > 1)
        mf_pace_init(&m.own_pace, team->leaders ? MF_SERVER_SLICE_S : MASTER_SLICE_S, UINT64_C(1) << 18);
    else
        mf_pace_init(&m.own_pace, ALONE_SLICE_S, UINT64_C(1) << 23);
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
    m.kids_hold = m.sink.parallel;
    if (team->leaders && !m.by_ref && !m.io_error) { /* leaders take slices cut by offset only (app.c) */
        mf_master_complain("node leaders need parallel I/O from regular files; run again with --no-leaders");
        m.io_error = true;
    }
    if (!m.io_error && m.progress.f)
        mf_input_count_ahead(&m.in, MF_PROGRESS_COUNT_BYTES); /* the progress line's exact total */
    m.in.count_tokens = m.progress.f && !m.in.counted_ahead; /* only the progress line's estimate reads them */

    mf_master_open_leaders(&m, team); /* the leaders' first slices, found where they are */
    mf_idler idle;
    mf_idler_busy(&idle);
    while (!m.io_error && !m.sink.io_error && !stop_requested(&m, start)) {
        double served_from = mf_now();
        bool received = receive_waiting(&m);
        write_ready(&m);
        bool busy = mf_master_dispatch(&m);
        if (received || busy) { /* rank 0's service time per unit sets the grain (mf_sched.h) */
            m.service_s += mf_now() - served_from;
            mf_sched_observe_service(&m.sched, m.service_s, m.run.units);
        }
        if (m.input_done && mf_order_live(&m.order) == 0)
            break; /* everything read, handed out, returned and written */
        /* rank 0's own work only when serving left it nothing to do (at scale it serves first), and, serving node
           leaders, no new unit of its own while serving takes most of its run: SIMULATED, random40 at 1024 ranks,
           0.102 ns per candidate, rank 0 served 72% of its run and napped 39 us of 6.4 ms, and without units of
           its own the run took 8.03 simulated ms on average against 8.29 (20 interleaved pairs, 15 faster).
           Without leaders, or among fewer ranks, rank 0's own share of the compute is worth keeping. */
        if (!busy && (m.own.active || !serving_most(&m, start, ranks)))
            busy = mf_master_own_work(&m);
        mf_master_ask_yield(&m);
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

    mf_master_release(&m); /* the input too, also right after a failed open */
    mf_buf_free(&m.sink.out);
    free(m.per_rank);
    return code;
}
