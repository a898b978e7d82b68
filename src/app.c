/* Wires the modules together; the only place that decides the process exit code. */
#include "mf_app.h"

#include <stdio.h>

#include "mf_cli.h"
#include "mf_kernel_u128.h"
#include "mf_kernel_u64.h"
#include "mf_master.h"
#include "mf_pario.h"
#include "mf_proto.h"
#include "mf_signals.h"
#include "mf_status.h"
#include "mf_worker.h"

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
        if (cfg.parallel_io_mode == MF_PIO_AUTO && cfg.output && mf_proto_size() > 1) { /* collective */
            uint64_t lo, hi;
            mf_proto_min_max(mf_pario_identity(&cfg), &lo, &hi);
            cfg.parallel_io = mf_pario_decide(&cfg, mf_proto_size(), lo, hi);
        }
        mf_signals_install();
        code = rank == 0 ? mf_master_run(&cfg, mf_proto_size()) : mf_worker_run(&cfg);
        break;
    }
    fflush(stdout);
    mf_proto_finalize();
    mf_u64_kernel_release();
    return code;
}
