/* Wires the modules together; the only place that decides the process exit code. */
#include "mf_app.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "mf_buf.h"
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

/* Whether rank 0 would cut the input by byte offset, the one way a leader can take slices and cut them again,
   once parallel I/O is on: a regular output file from regular input files, the adaptive policy with its own
   sizes, no progress line (its estimate may need the input's tokens counted as it is cut), not --no-leaders. */
static bool leaders_wanted(const mf_config *cfg)
{
    if (cfg->no_leaders || !cfg->output || cfg->ninputs < 1 || cfg->schedule != MF_SCHEDULE_ADAPTIVE ||
        cfg->unit_size != 0 || mf_progress_wanted(cfg->progress))
        return false;
    struct stat st;
    if (stat(cfg->output, &st) == 0 && !S_ISREG(st.st_mode))
        return false;
    for (int i = 0; i < cfg->ninputs; i++)
        if (stat(cfg->inputs[i], &st) != 0 || !S_ISREG(st.st_mode))
            return false;
    return true;
}

/* Ends the whole run: this rank is out of memory. */
static void out_of_memory(void)
{
    fprintf(stderr, "mpifactor: rank %d: out of memory\n", mf_proto_rank());
    mf_proto_abort(MF_EXIT_INTERNAL);
}

/* n zeroed items of size bytes, or the end of the run (out_of_memory). */
static void *alloc_or_abort(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        out_of_memory();
    return p;
}

/* Fills t, the same way on every rank, from every rank's node id (ids): rank 0 serves one leader per node where
   that can help (mf_team.h), else every rank. With opening, the leaders take their first slices without a
   message (t->opening; a leader's share from rank 0's plan, which it makes too). */
static void plan_team(mf_team *t, int rank, int ranks, const uint64_t *ids, bool opening)
{
    int *firsts = alloc_or_abort((size_t)ranks, sizeof *firsts), *members = NULL, rc;
    if (mf_team_firsts(ids, ranks, firsts) != 0)
        out_of_memory();
    bool on = mf_team_useful(firsts, ranks);
    if (rank == 0) {
        rc = mf_team_plan_root(t, firsts, ranks, on);
    } else {
        members = alloc_or_abort((size_t)ranks, sizeof *members);
        rc = mf_team_plan_member(t, rank, members, mf_team_members(firsts, ranks, rank, members), on);
    }
    t->opening_index = -1;
    if (rc == 0 && on && opening) {
        t->opening = true;
        mf_team root;
        if (t->is_leader && rank > 0 && (rc = mf_team_plan_root(&root, firsts, ranks, on)) == 0) {
            t->opening_index = mf_team_leader_share(&root, rank, &t->share_lo, &t->share_hi, &t->share_total);
            mf_team_free(&root);
        }
    }
    free(members);
    free(firsts);
    if (rc != 0)
        out_of_memory();
}

/* Settles, the same way on every rank, whether parallel I/O is on (cfg->parallel_io) and who serves whom (t), in
   three collectives: rank 0 broadcasts its view of the files (mf_pario_view_make) and whether it wants node leaders;
   then every rank tells every other whether it sees those files and which node it is on. The second level is on
   where rank 0 wants it, parallel I/O is on and the ranks span nodes where a leader can serve (mf_team.h); the
   leaders then take their first slices without a message (the opening), except with --checkpoint, where rank 0
   may resume past them. Returns
   MF_EXIT_OK, or MF_EXIT_USAGE when --parallel-io was asked for and some rank does not see rank 0's files (the
   lowest such rank says which file, on which host). */
static int settle_start(mf_config *cfg, int rank, int ranks, mf_team *t)
{
    if (cfg->parallel_io_mode == MF_PIO_OFF || !cfg->output || ranks < 2) { /* no parallel I/O, so no leaders */
        if (mf_team_flat(t, rank, ranks) != 0)
            out_of_memory();
        return MF_EXIT_OK;
    }
    size_t n = mf_pario_view_len(cfg);
    uint64_t *view = alloc_or_abort(n + 1, sizeof *view); /* view[n]: rank 0 wants leaders */
    char why[1024] = "";
    if (rank == 0) {
        mf_pario_view_make(cfg, view);
        view[n] = ranks > 2 && leaders_wanted(cfg);
    } else if (ranks > 2 && !cfg->no_leaders) {
        mf_master_prepare(); /* while rank 0 makes its view: this rank may lead a node, which then takes its first
                                slice at once (the opening) and sizes its kids' first units by this timing */
    }
    mf_proto_bcast(view, (n + 1) * sizeof *view);
    bool agrees = rank == 0 || mf_pario_agrees(cfg, view, rank, why, sizeof why), wanted = view[n] != 0;
    /* each rank's record: whether it agrees, and its node (only where leaders are wanted) */
    enum { RECORD = 9 };
    mf_buf mine, all;
    mf_buf_init(&mine);
    mf_buf_put_u8(&mine, agrees);
    mf_buf_put_u64(&mine, wanted ? mf_proto_node_id() : 0);
    mf_buf_init(&all);
    mf_buf_reserve(&all, (size_t)ranks * RECORD);
    all.len = (size_t)ranks * RECORD;
    if (rank == 0)
        mf_master_prepare(); /* while the others look: 0.2-0.3 of rank 0's 0.45-0.55 simulated ms of set-up
                                after this exchange at 256 ranks */
    mf_proto_allgather(mine.data, RECORD, all.data); /* every rank has looked */
    mf_buf_free(&mine);
    if (rank == 0)
        mf_pario_probe_remove(cfg->output, view[0]);
    int first = -1; /* the lowest rank that does not agree */
    uint64_t *ids = alloc_or_abort((size_t)ranks, sizeof *ids);
    for (int r = 0; r < ranks; r++) {
        if (!mf_buf_get_u8(&all) && first < 0)
            first = r;
        ids[r] = mf_buf_get_u64(&all);
    }
    mf_buf_free(&all);
    bool complete = mf_pario_view_complete(cfg, view);
    cfg->parallel_io = mf_pario_decide(cfg, ranks, complete, first < 0);
    free(view);
    int code = MF_EXIT_OK;
    if (cfg->parallel_io_mode == MF_PIO_ON && complete && first >= 0) {
        if (rank == first)
            fprintf(stderr, "mpifactor: %s\n", why);
        code = MF_EXIT_USAGE;
    }
    if (code == MF_EXIT_OK && wanted && cfg->parallel_io)
        plan_team(t, rank, ranks, ids, !cfg->checkpoint);
    else if (mf_team_flat(t, rank, ranks) != 0)
        out_of_memory();
    free(ids);
    return code;
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
        mf_team team;
        if ((code = settle_start(&cfg, rank, mf_proto_size(), &team)) != MF_EXIT_OK) {
            mf_team_free(&team);
            break;
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
