/* Worker rank: keeps a short queue of units, works on them between message checks, never spins idle. */
#include "mf_worker.h"

#include <stdlib.h>

#include "mf_codec.h"
#include "mf_holder.h"
#include "mf_pace.h"
#include "mf_pario.h"
#include "mf_proto.h"
#include "mf_runner.h"
#include "mf_sched.h"
#include "mf_stats.h"
#include "mf_status.h"

#define WORKER_SLICE_S 1e-3 /* compute seconds between message checks (mf_pace sets the candidates) */
/* ... in a range of a split number, as often as a leader looks: its master's DROP, sent once another range
   found the factors, stops it at the next look. SIMULATED, 2048 56-bit semiprimes on 256 ranks, candidates
   wasted in split numbers: 2.1-2.4% with 1 ms, 1.8-2.3% with 0.25 ms, 1.5-1.9% with 0.1 ms */
#define WORKER_RANGE_SLICE_S 0.1e-3
#define QUEUE_CAP (MF_UNITS_IN_FLIGHT + 1)

int mf_worker_run(const mf_config *cfg, int parent)
{
    mf_rank_stats st;
    mf_rank_stats_init(&st, mf_proto_rank());
    st.parent = parent;
    double cpu_start = mf_process_cpu_now();
    mf_runner runner;
    mf_runner_opts opts = {
        .max_divisor = cfg->max_divisor, .format = cfg->format, .verify = cfg->verify,
        .yieldable = true, .paths = cfg->inputs, .npaths = cfg->ninputs,
    };
    mf_runner_init(&runner, &opts);
    mf_pace pace, range_pace;
    mf_pace_init(&pace, WORKER_SLICE_S, UINT64_C(1) << 20);
    mf_pace_init(&range_pace, WORKER_RANGE_SLICE_S, UINT64_C(1) << 18);
    mf_pario pio;
    if (mf_pario_init(&pio, cfg, st.rank) != 0) {
        fprintf(stderr, "mpifactor: rank %d: out of memory\n", st.rank);
        mf_proto_abort(MF_EXIT_INTERNAL);
    }
    double last_confirm = mf_now();
    mf_buf queue[QUEUE_CAP], msg;
    int qhead = 0, qlen = 0;
    for (int i = 0; i < QUEUE_CAP; i++)
        mf_buf_init(&queue[i]);
    mf_buf_init(&msg);
    mf_buf rest;
    mf_buf_init(&rest);
    bool yield_next = false; /* a request to hand back arrived before its unit was loaded */
    uint64_t yield_id = 0;
    uint64_t yield_split_least = 0;
    mf_text_ref loaded_ref; /* the unit running, as the reference it came as (with --parallel-io) */
    bool loaded_by_ref = false;
    int exit_code = MF_EXIT_INTERNAL;
    bool failed = false; /* an I/O error was reported: wait for STOP without working */
    mf_idler idle;
    mf_idler_busy(&idle);
    for (;;) {
        int src, tag, stop = 0;
        while (mf_proto_poll(&src, &tag, &msg)) {
            if (tag == MF_TAG_STOP) {
                exit_code = (int)mf_buf_get_u32(&msg);
                stop = 1;
                break;
            }
            if (tag == MF_TAG_YIELD) {
                uint64_t id = mf_buf_get_u64(&msg);
                uint64_t split_least = mf_buf_get_u64(&msg);
                /* for the unit that runs next when it is not loaded yet; stale (ignored) for one finished */
                if (!msg.failed && !mf_runner_yield(&runner, id, split_least)) {
                    yield_next = true;
                    yield_id = id;
                    yield_split_least = mf_split_least_merge(yield_split_least, split_least);
                }
                continue;
            }
            if (tag == MF_TAG_DROP) {
                uint64_t id = mf_buf_get_u64(&msg);
                if (!msg.failed)
                    mf_runner_drop(&runner, id);
                continue;
            }
            if (tag == MF_TAG_PLACE) {
                uint64_t id = mf_buf_get_u64(&msg), offset = mf_buf_get_u64(&msg);
                if (msg.failed) {
                    fprintf(stderr, "mpifactor: rank %d: malformed placement\n", st.rank);
                    mf_proto_abort(MF_EXIT_INTERNAL);
                }
                if (mf_pario_place(&pio, id, offset) != 0)
                    mf_holder_failed(&pio, parent, &failed);
                continue;
            }
            if (tag == MF_TAG_UNIT) {
                if (qlen == QUEUE_CAP) {
                    fprintf(stderr, "mpifactor: rank %d: more units than the protocol allows\n", st.rank);
                    mf_proto_abort(MF_EXIT_INTERNAL);
                }
                mf_buf tmp = queue[(qhead + qlen) % QUEUE_CAP];
                queue[(qhead + qlen) % QUEUE_CAP] = msg;
                msg = tmp;
                qlen++;
            }
        }
        if (cfg->checkpoint && pio.placed > pio.synced) {
            double now = mf_now();
            if (stop || now - last_confirm >= MF_HOLDER_CONFIRM_EVERY_S || (!runner.active && qlen == 0)) {
                mf_holder_confirm(&pio, parent, &failed);
                last_confirm = now;
            }
        }
        if (stop)
            break;
        if (!runner.active && qlen > 0 && !failed) {
            loaded_by_ref = mf_text_ref_read(&queue[qhead], &loaded_ref) == 0;
            if (mf_pario_resolve(&pio, &queue[qhead]) != 0) {
                mf_holder_failed(&pio, parent, &failed);
                continue;
            }
            if (mf_runner_load(&runner, &queue[qhead]) != 0) {
                fprintf(stderr, "mpifactor: rank %d: malformed work unit\n", st.rank);
                mf_proto_abort(MF_EXIT_INTERNAL);
            }
            qhead = (qhead + 1) % QUEUE_CAP;
            qlen--;
            if (yield_next)
                mf_runner_yield(&runner, yield_id, yield_split_least);
            yield_next = false;
            yield_split_least = 0;
        }
        if (runner.active) {
            bool finished = mf_runner_step_paced(&runner, runner.u.kind == MF_UNIT_RANGE ? &range_pace : &pace);
            if (mf_runner_take_rest(&runner, &rest)) { /* before the unit's result: messages keep their order */
                if (loaded_by_ref && mf_pario_rest_by_ref(&rest, &loaded_ref) != 0) {
                    fprintf(stderr, "mpifactor: rank %d: a rest outside its slice\n", st.rank);
                    mf_proto_abort(MF_EXIT_INTERNAL);
                }
                mf_proto_send(parent, MF_TAG_REST, &rest);
            }
            if (finished) {
                st.busy_s += runner.busy_s;
                st.busy_cpu_s += runner.cpu_s;
                st.units++;
                st.ranges += runner.u.kind == MF_UNIT_RANGE;
                st.ranges_stopped += runner.u.kind == MF_UNIT_RANGE && runner.drop_now;
                st.numbers += runner.numbers + runner.suspended; /* a split number counts where it started */
                st.candidates += runner.candidates;
                if (runner.u.kind == MF_UNIT_TEXT && runner.u.hold_output)
                    mf_pario_hold(&pio, &runner.result);
                mf_proto_send(parent, MF_TAG_RESULT, &runner.result);
            }
            mf_proto_progress();
            mf_idler_busy(&idle);
        } else {
            double t0 = mf_now();
            mf_proto_progress();
            mf_idler_nap(&idle);
            st.idle_s += mf_now() - t0;
        }
    }
    /* results sent earlier reach the master before these statistics (messages do not overtake) */
    mf_proto_flush();
    st.cpu_s = mf_process_cpu_now() - cpu_start;
    st.bytes_sent = mf_proto_bytes_sent();
    st.bytes_received = mf_proto_bytes_received();
    mf_buf_reset(&msg);
    mf_codec_put_stats(&msg, &st);
    mf_proto_send(parent, MF_TAG_STATS, &msg);
    mf_proto_flush();
    for (int i = 0; i < QUEUE_CAP; i++)
        mf_buf_free(&queue[i]);
    mf_buf_free(&msg);
    mf_buf_free(&rest);
    mf_runner_free(&runner);
    mf_pario_free(&pio);
    return exit_code;
}
