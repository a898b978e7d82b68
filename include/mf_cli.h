/* Command-line options (pure: no MPI). Every rank parses the same argv and reaches the same verdict. */
#ifndef MPIFACTOR_CLI_H
#define MPIFACTOR_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mf_kernel_u64.h"
#include "mf_output.h"
#include "mf_sched.h"

#define MF_VERSION "0.1.0"

/* Parallel I/O: forced on, off, or on where every rank sees the same files (decided at start-up). */
typedef enum mf_pio_mode { MF_PIO_AUTO, MF_PIO_ON, MF_PIO_OFF } mf_pio_mode;

typedef struct mf_config {
    const char *output;        /* -o FILE, NULL for stdout */
    mf_format format;
    uint32_t unit_size;        /* 0: adaptive */
    mf_schedule schedule;      /* --schedule: adaptive (default), map or static */
    const char *stats_path;    /* --stats FILE or NULL */
    const char *checkpoint;    /* --checkpoint FILE or NULL */
    double checkpoint_interval; /* --checkpoint-interval: seconds between commits (parser: 1; 0 = 1) */
    int progress;              /* -1: when stderr is a terminal, 0: off, 1: on */
    uint64_t max_divisor;      /* 0: unbounded */
    double time_limit;         /* seconds, 0: none */
    bool verify;
    mf_pio_mode parallel_io_mode; /* --parallel-io (on), --no-parallel-io (off), else auto */
    bool parallel_io;          /* workers read their input slices and write their results: set by the parser
                                  for --parallel-io, by the run for auto (mf_pio_decide) */
    bool no_leaders;           /* --no-leaders: rank 0 serves every rank (no second level) */
    mf_u64_kernel kernel;
    const char *const *inputs; /* input paths (into argv); ninputs 0 means stdin */
    int ninputs;
} mf_config;

typedef enum mf_cli_verdict { MF_CLI_RUN, MF_CLI_HELP, MF_CLI_VERSION, MF_CLI_ERROR } mf_cli_verdict;

/* Parses argv into cfg. On MF_CLI_ERROR writes the reason to err (size errlen). May permute argv. */
mf_cli_verdict mf_cli_parse(mf_config *cfg, int argc, char **argv, char *err, size_t errlen);
/* Prints the --help text. */
void mf_cli_usage(FILE *f);
/* Returns the name of the i-th long option the parser accepts ("output" for --output), NULL for i past
   the last; the strings are static. Lets tests check that --help and the manual name every option. */
const char *mf_cli_long_option(size_t i);

#endif
