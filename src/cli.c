/* Option parsing with getopt_long: returns a verdict instead of exiting, so all ranks exit cleanly. */
#define _GNU_SOURCE
#include "mf_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_STATS = 256, OPT_CHECKPOINT, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_MAX_DIVISOR,
    OPT_TIME_LIMIT, OPT_VERIFY, OPT_KERNEL, OPT_PARALLEL_IO, OPT_NO_PARALLEL_IO, OPT_CHECKPOINT_INTERVAL, OPT_SCHEDULE, OPT_NO_LEADERS
};

/* Every long option the parser accepts; --help and the manual page name each of them. */
static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'f'},
    {"unit-size", required_argument, NULL, 'u'},
    {"schedule", required_argument, NULL, OPT_SCHEDULE},
    {"stats", required_argument, NULL, OPT_STATS},
    {"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
    {"checkpoint-interval", required_argument, NULL, OPT_CHECKPOINT_INTERVAL},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"max-divisor", required_argument, NULL, OPT_MAX_DIVISOR},
    {"time-limit", required_argument, NULL, OPT_TIME_LIMIT},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"parallel-io", no_argument, NULL, OPT_PARALLEL_IO},
    {"no-parallel-io", no_argument, NULL, OPT_NO_PARALLEL_IO},
    {"no-leaders", no_argument, NULL, OPT_NO_LEADERS},
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void mf_cli_usage(FILE *f)
{
    fprintf(f,
        "Usage: mpirun -np N mpifactor [OPTION]... [FILE]...\n"
        "Factorize the integers in FILEs (standard input when none or '-') by trial division,\n"
        "distributed over MPI ranks, and print them in input order in GNU factor's format.\n"
        "Without mpirun, one rank factorizes everything.\n"
        "\n"
        "  -o, --output FILE        write results to FILE instead of standard output\n"
        "  -f, --format FMT         text (GNU factor, default), jsonl or csv\n"
        "  -u, --unit-size N        input lines per work unit, 1 to 1000000 (default: adaptive)\n"
        "      --schedule POLICY    how work is handed out: adaptive (default: units sized to\n"
        "                           their cost, handed back and split when a rank would idle),\n"
        "                           map (N lines per unit, -u N, default 1, to whichever rank is\n"
        "                           free) or static (one equal chunk of lines per rank, fixed at\n"
        "                           the start; needs input files)\n"
        "      --stats FILE         write run statistics as JSON to FILE\n"
        "      --checkpoint FILE    record progress durably in FILE; running the same command\n"
        "                           again resumes where it stopped. Needs -o and input files\n"
        "                           (standard input cannot be resumed)\n"
        "      --checkpoint-interval SEC\n"
        "                           commit progress every SEC seconds (default 1): a crash\n"
        "                           costs at most that much finished work\n"
        "      --progress           show progress on standard error (default when you watch a\n"
        "                           terminal, also through mpirun)\n"
        "      --no-progress        never show progress\n"
        "      --max-divisor B      stop trial division after divisor B (B >= 2); what is left is\n"
        "                           reported as unfactored\n"
        "      --time-limit SEC     stop cleanly after SEC seconds (> 0, fractions allowed), as on\n"
        "                           SIGTERM\n"
        "      --verify             check every factorization (product and primality)\n"
        "      --parallel-io        workers read their slices of the input files and write their\n"
        "                           results into -o FILE themselves, at their offsets (needs -o;\n"
        "                           every rank must see the same files: a shared file system).\n"
        "                           Default with -o: on when every rank finds the same files\n"
        "      --no-parallel-io     rank 0 reads all input and writes all output\n"
        "      --no-leaders         rank 0 serves every rank itself. Default: with parallel I/O on\n"
        "                           several nodes, one rank per other node (its leader) takes large\n"
        "                           slices from rank 0 and serves its node's ranks\n"
        "      --kernel NAME        64- and 128-bit kernels: auto (default), avx512, avx2, scalar\n"
        "                           or plain (avx512 and avx2 need a CPU with them)\n"
        "  -h, --help               show this help and exit\n"
        "  -V, --version            show the version and exit\n"
        "A long option's argument may also follow '=' (--output=FILE).\n"
        "\n"
        "Input: decimal integers separated by whitespace, optional leading '+', '#' starts a comment;\n"
        "any other token is reported on standard error and skipped.\n"
        "Exit status: 0 ok, 1 invalid input seen (valid numbers still written), 2 usage or I/O error,\n"
        "3 interrupted (SIGTERM, SIGINT, SIGUSR1 or --time-limit; resumable with --checkpoint),\n"
        "4 --verify failed, 5 internal error, 6 finished but --max-divisor left numbers unfactored\n"
        "(1 hides 6).\n"
        "Manual: man mpifactor (in the source tree: man -l man/mpifactor.1)\n");
}

/* Returns the long option of the parser's table at index i ("output", ...), NULL past the last. */
const char *mf_cli_long_option(size_t i)
{
    return i < sizeof longopts / sizeof longopts[0] ? longopts[i].name : NULL;
}

/* Parses a whole decimal unsigned number; returns 0 or -1. */
static int parse_u64(const char *s, uint64_t *v)
{
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

mf_cli_verdict mf_cli_parse(mf_config *cfg, int argc, char **argv, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->progress = -1;
    cfg->kernel = MF_KERNEL_AUTO;
    cfg->checkpoint_interval = 1.0;
    opterr = 0;
    optind = 0; /* full re-initialisation, so the parser can run more than once */
    int c;
    uint64_t v;
    while ((c = getopt_long(argc, argv, ":o:f:u:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            cfg->output = optarg;
            break;
        case 'f':
            if (mf_format_parse(optarg, &cfg->format) != 0) {
                snprintf(err, errlen, "invalid format '%s' (use text, jsonl or csv)", optarg);
                return MF_CLI_ERROR;
            }
            break;
        case 'u':
            if (parse_u64(optarg, &v) != 0 || v < 1 || v > 1000000) {
                snprintf(err, errlen, "invalid unit size '%s' (an integer from 1 to 1000000)", optarg);
                return MF_CLI_ERROR;
            }
            cfg->unit_size = (uint32_t)v;
            break;
        case OPT_SCHEDULE:
            if (mf_schedule_parse(optarg, &cfg->schedule) != 0) {
                snprintf(err, errlen, "invalid --schedule '%s' (use adaptive, map or static)", optarg);
                return MF_CLI_ERROR;
            }
            break;
        case OPT_STATS:
            cfg->stats_path = optarg;
            break;
        case OPT_CHECKPOINT:
            cfg->checkpoint = optarg;
            break;
        case OPT_PROGRESS:
            cfg->progress = 1;
            break;
        case OPT_NO_PROGRESS:
            cfg->progress = 0;
            break;
        case OPT_MAX_DIVISOR:
            if (parse_u64(optarg, &v) != 0 || v < 2) {
                snprintf(err, errlen, "invalid maximum divisor '%s' (an integer >= 2)", optarg);
                return MF_CLI_ERROR;
            }
            cfg->max_divisor = v;
            break;
        case OPT_TIME_LIMIT: {
            char *end;
            errno = 0;
            double t = strtod(optarg, &end);
            if (errno || *end || !(t > 0) || t > 1e9) {
                snprintf(err, errlen, "invalid time limit '%s' (seconds > 0)", optarg);
                return MF_CLI_ERROR;
            }
            cfg->time_limit = t;
            break;
        }
        case OPT_CHECKPOINT_INTERVAL: {
            char *end;
            errno = 0;
            double t = strtod(optarg, &end);
            if (errno || *end || !(t >= 0.01) || t > 86400) {
                snprintf(err, errlen, "invalid checkpoint interval '%s' (seconds from 0.01 to 86400)", optarg);
                return MF_CLI_ERROR;
            }
            cfg->checkpoint_interval = t;
            break;
        }
        case OPT_VERIFY:
            cfg->verify = true;
            break;
        case OPT_PARALLEL_IO:
            cfg->parallel_io_mode = MF_PIO_ON;
            break;
        case OPT_NO_PARALLEL_IO:
            cfg->parallel_io_mode = MF_PIO_OFF;
            break;
        case OPT_NO_LEADERS:
            cfg->no_leaders = true;
            break;
        case OPT_KERNEL:
            if (mf_u64_kernel_parse(optarg, &cfg->kernel) != 0) {
                snprintf(err, errlen, "invalid kernel '%s' (use auto, avx512, avx2, scalar or plain)", optarg);
                return MF_CLI_ERROR;
            }
            break;
        case 'h':
            return MF_CLI_HELP;
        case 'V':
            return MF_CLI_VERSION;
        case ':':
            snprintf(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
            return MF_CLI_ERROR;
        default:
            if (optopt)
                snprintf(err, errlen, "invalid option -- '%c'", optopt);
            else
                snprintf(err, errlen, "unrecognized option '%s'", argv[optind - 1]);
            return MF_CLI_ERROR;
        }
    }
    cfg->inputs = (const char *const *)(argv + optind);
    cfg->ninputs = argc - optind;
    cfg->parallel_io = cfg->parallel_io_mode == MF_PIO_ON;
    if (cfg->parallel_io && !cfg->output) {
        snprintf(err, errlen, "--parallel-io needs -o FILE (the ranks write into one output file)");
        return MF_CLI_ERROR;
    }
    int uses_stdin = cfg->ninputs == 0;
    for (int i = 0; i < cfg->ninputs; i++)
        uses_stdin |= strcmp(cfg->inputs[i], "-") == 0;
    if (cfg->schedule == MF_SCHEDULE_STATIC && uses_stdin) {
        snprintf(err, errlen, "--schedule static needs input files (it divides their lines among the ranks before "
                              "it starts; standard input cannot be counted ahead)");
        return MF_CLI_ERROR;
    }
    if (cfg->checkpoint) {
        if (!cfg->output) {
            snprintf(err, errlen, "--checkpoint needs -o FILE (the output must be a file to resume into)");
            return MF_CLI_ERROR;
        }
        if (uses_stdin) {
            snprintf(err, errlen, "--checkpoint needs input files (standard input cannot be resumed)");
            return MF_CLI_ERROR;
        }
    }
    return MF_CLI_RUN;
}
