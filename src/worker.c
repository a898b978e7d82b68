/* Worker rank: keeps a short queue of units, works on them between message checks, never spins idle. */
#include "mf_worker.h"

#include <stdlib.h>

#include "mf_codec.h"
#include "mf_proto.h"
#include "mf_runner.h"
#include "mf_sched.h"
#include "mf_stats.h"
#include "mf_status.h"

#define WORKER_SLICE (UINT64_C(1) << 20) /* candidates between message checks (about a millisecond) */
#define QUEUE_CAP (MF_UNITS_IN_FLIGHT + 1)

int mf_worker_run(const mf_config *cfg)
{
    mf_rank_stats st;
    mf_rank_stats_init(&st, mf_proto_rank());
    mf_runner runner;
    mf_runner_opts opts = {
        .max_divisor = cfg->max_divisor, .format = cfg->format, .verify = cfg->verify,
        .handback_s = MF_SCHED_HANDBACK_S, .paths = cfg->inputs, .npaths = cfg->ninputs,
    };
    mf_runner_init(&runner, &opts);
    mf_buf queue[QUEUE_CAP], msg;
    int qhead = 0, qlen = 0;
    for (int i = 0; i < QUEUE_CAP; i++)
        mf_buf_init(&queue[i]);
    mf_buf_init(&msg);
    int exit_code = MF_EXIT_INTERNAL;
    double nap = 20e-6;
    for (;;) {
        int src, tag, stop = 0;
        while (mf_proto_poll(&src, &tag, &msg)) {
            if (tag == MF_TAG_STOP) {
                exit_code = (int)mf_buf_get_u32(&msg);
                stop = 1;
                break;
            }
            if (tag == MF_TAG_YIELD) { /* a request for a unit already finished is stale: ignored */
                uint64_t id = mf_buf_get_u64(&msg);
                if (!msg.failed)
                    mf_runner_yield(&runner, id);
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
        if (stop)
            break;
        if (!runner.active && qlen > 0) {
            if (mf_runner_load(&runner, &queue[qhead]) != 0) {
                fprintf(stderr, "mpifactor: rank %d: malformed work unit\n", st.rank);
                mf_proto_abort(MF_EXIT_INTERNAL);
            }
            qhead = (qhead + 1) % QUEUE_CAP;
            qlen--;
        }
        if (runner.active) {
            if (mf_runner_step(&runner, WORKER_SLICE)) {
                st.busy_s += runner.busy_s;
                st.units++;
                st.ranges += runner.u.kind == MF_UNIT_RANGE;
                st.numbers += runner.numbers + runner.suspended; /* a split number counts where it started */
                st.candidates += runner.candidates;
                mf_proto_send(0, MF_TAG_RESULT, &runner.result);
            }
            mf_proto_progress();
            nap = 20e-6;
        } else {
            double t0 = mf_now();
            mf_proto_progress();
            mf_nap(nap);
            if (nap < 1e-3)
                nap *= 2;
            st.idle_s += mf_now() - t0;
        }
    }
    /* results sent earlier reach the master before these statistics (messages do not overtake) */
    mf_proto_flush();
    st.bytes_sent = mf_proto_bytes_sent();
    st.bytes_received = mf_proto_bytes_received();
    mf_buf_reset(&msg);
    mf_codec_put_stats(&msg, &st);
    mf_proto_send(0, MF_TAG_STATS, &msg);
    mf_proto_flush();
    for (int i = 0; i < QUEUE_CAP; i++)
        mf_buf_free(&queue[i]);
    mf_buf_free(&msg);
    mf_runner_free(&runner);
    return exit_code;
}
