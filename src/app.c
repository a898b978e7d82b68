/* Wires the modules together; the only place that decides the process exit code. */
#include "mf_app.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "mf_cli.h"
#include "mf_kernel_u128.h"
#include "mf_kernel_u64.h"
#include "mf_leader.h"
#include "mf_master.h"
#include "mf_pario.h"
#include "mf_progress.h"
#include "mf_proto.h"
#include "mf_signals.h"
#include "mf_status.h"
#include "mf_team.h"
#include "mf_worker.h"

/* Decides cfg->parallel_io the same way on every rank (collective): every rank compares what it sees with
   rank 0's view of the files (mf_pario_view_make), and all learn the lowest rank that does not agree. Returns
   MF_EXIT_OK, or MF_EXIT_USAGE when --parallel-io was asked for and some rank does not see rank 0's files (that
   rank says which file, on which host). */
static int settle_parallel_io(mf_config *cfg, int rank, int ranks)
{
    if (cfg->parallel_io_mode == MF_PIO_OFF || !cfg->output || ranks < 2)
        return MF_EXIT_OK;
    size_t n = mf_pario_view_len(cfg);
    uint64_t *view = calloc(n, sizeof *view);
    if (!view) {
        fprintf(stderr, "mpifactor: out of memory\n");
        mf_proto_abort(MF_EXIT_INTERNAL);
        return MF_EXIT_INTERNAL;
    }
    char why[1024] = "";
    if (rank == 0)
        mf_pario_view_make(cfg, view);
    mf_proto_bcast(view, n * sizeof *view);
    bool agrees = rank == 0 || mf_pario_agrees(cfg, view, rank, why, sizeof why);
    uint64_t first, last;
    mf_proto_min_max(agrees ? UINT64_MAX : (uint64_t)rank, &first, &last); /* every rank has looked */
    if (rank == 0)
        mf_pario_probe_remove(cfg->output, view[0]);
    bool complete = mf_pario_view_complete(cfg, view);
    cfg->parallel_io = mf_pario_decide(cfg, ranks, complete, first == UINT64_MAX);
    free(view);
    if (cfg->parallel_io_mode == MF_PIO_ON && complete && first != UINT64_MAX) {
        if ((uint64_t)rank == first)
            fprintf(stderr, "mpifactor: %s\n", why);
        return MF_EXIT_USAGE;
    }
    return MF_EXIT_OK;
}

/* Whether rank 0 will cut the input by byte offset, the one way a leader can take slices and cut them again:
   parallel I/O into a regular output file from regular input files, the adaptive policy with its own sizes, no
   progress line (its estimate may need the input's tokens counted as it is cut), not --no-leaders. */
static bool leaders_wanted(const mf_config *cfg)
{
    if (cfg->no_leaders || !cfg->parallel_io || !cfg->output || cfg->ninputs < 1 ||
        cfg->schedule != MF_SCHEDULE_ADAPTIVE || cfg->unit_size != 0 || mf_progress_wanted(cfg->progress))
        return false;
    struct stat st;
    if (stat(cfg->output, &st) == 0 && !S_ISREG(st.st_mode))
        return false;
    for (int i = 0; i < cfg->ninputs; i++)
        if (stat(cfg->inputs[i], &st) != 0 || !S_ISREG(st.st_mode))
            return false;
    return true;
}

/* Settles who serves whom the same way on every rank (collective; mf_team.h): rank 0 decides whether the
   second level is wanted and, with the ranks grouped by node, whether it helps. */
static int settle_team(const mf_config *cfg, int rank, int ranks, mf_team *t)
{
    int on = rank == 0 && ranks > 2 && leaders_wanted(cfg);
    if (ranks > 2)
        mf_proto_bcast(&on, sizeof on);
    if (!on)
        return mf_team_flat(t, rank, ranks);
    int *members = NULL, count = 0, *firsts = rank == 0 ? calloc((size_t)ranks, sizeof *firsts) : NULL;
    int rc = rank == 0 && !firsts ? -1 : 0;
    if (mf_proto_nodes(&members, &count, firsts) != 0)
        rc = -1;
    if (rank == 0)
        on = rc == 0 && mf_team_useful(firsts, ranks);
    mf_proto_bcast(&on, sizeof on);
    if (rc == 0)
        rc = rank == 0 ? mf_team_plan_root(t, firsts, ranks, on) : mf_team_plan_member(t, rank, members, count, on);
    free(members);
    free(firsts);
    return rc;
}

int mf_app_main(int argc, char **argv)
{
    mf_config cfg;
    char err[512] = "";
    mf_cli_verdict verdict = mf_cli_parse(&cfg, argc, argv, err, sizeof err);
    if (mf_proto_init(&argc, &argv) != 0) {
        fprintf(stderr, "mpifactor: MPI could not start\n");
        return MF_EXIT_INTERNAL;
    }
    int rank = mf_proto_rank();
    int code = MF_EXIT_OK;
    switch (verdict) {
    case MF_CLI_HELP:
        if (rank == 0)
            mf_cli_usage(stdout);
        break;
    case MF_CLI_VERSION:
        if (rank == 0)
            printf("mpifactor %s\n", MF_VERSION);
        break;
    case MF_CLI_ERROR:
        if (rank == 0)
            fprintf(stderr, "mpifactor: %s\nTry 'mpifactor --help' for more information.\n", err);
        code = MF_EXIT_USAGE;
        break;
    case MF_CLI_RUN:
        if (mf_u64_kernel_select(cfg.kernel) != 0 || mf_u128_kernel_select_as(cfg.kernel) != 0) {
            if (rank == 0)
                fprintf(stderr, "mpifactor: this CPU cannot run the requested kernel\n");
            code = MF_EXIT_USAGE;
            break;
        }
        mf_signals_install(); /* before the probe file exists: a stop request then lets it be removed */
        if ((code = settle_parallel_io(&cfg, rank, mf_proto_size())) != MF_EXIT_OK)
            break;
        mf_team team;
        if (settle_team(&cfg, rank, mf_proto_size(), &team) != 0) {
            fprintf(stderr, "mpifactor: rank %d: out of memory\n", rank);
            mf_proto_abort(MF_EXIT_INTERNAL);
        }
        code = rank == 0         ? mf_master_run(&cfg, mf_proto_size(), &team)
               : team.is_leader ? mf_leader_run(&cfg, &team)
                                 : mf_worker_run(&cfg, team.parent);
        mf_team_free(&team);
        break;
    }
    fflush(stdout);
    mf_proto_finalize();
    mf_u64_kernel_release();
    return code;
}
