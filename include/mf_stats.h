/* Per-rank run statistics and the --stats JSON report. */
#ifndef MPIFACTOR_STATS_H
#define MPIFACTOR_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct mf_rank_stats {
    int rank;
    char host[64];
    double busy_s;        /* seconds spent factorizing */
    double idle_s;        /* seconds spent waiting with nothing to do */
    uint64_t numbers;     /* numbers factorized by this rank */
    uint64_t units;       /* work units factorized by this rank (text and range units) */
    uint64_t ranges;      /* range units (candidate ranges of split numbers) among them */
    uint64_t candidates;  /* trial divisors tested by this rank */
    uint64_t bytes_sent;
    uint64_t bytes_received;
    double cpu_s;         /* CPU seconds of the whole process over the run (user + system, every thread) */
    double busy_cpu_s;    /* CPU seconds of the busy time (busy_s is wall time: it includes preemption) */
} mf_rank_stats;

/* Whole-run figures known to the master. */
typedef struct mf_run_stats {
    const char *version;
    const char *kernel;       /* the 64-bit kernel in use */
    const char *kernel128;    /* the 128-bit kernel in use */
    int ranks;
    double wall_s;
    uint64_t numbers;         /* numbers written by this run (excludes ones skipped on resume) */
    uint64_t invalid_tokens;
    uint64_t unfactored;      /* numbers written with a cofactor left unfactored (a resumed prefix's included) */
    uint64_t units;           /* work units handed out (text and range units) */
    uint64_t numbers_split;   /* numbers whose candidates were split into ranges across ranks */
    uint64_t wasted_candidates; /* candidates of ranges dropped because the number was already done */
    uint64_t units_handed_back; /* units that handed back their unstarted rest or their number in progress */
    uint64_t yields_asked;    /* requests to hand back, each made for a rank that would otherwise idle */
    double grain_s;           /* the scheduler's grain at the end (mf_sched_grain_s) */
    const char *schedule;     /* the policy: adaptive, map or static (--schedule) */
    bool parallel_io;         /* workers read and wrote the files themselves (--parallel-io, or auto) */
    int exit_code;
} mf_run_stats;

/* Monotonic clock in seconds. */
double mf_now(void);
/* CPU seconds used by the calling thread: the measure of work that time slicing by other processes does not
   inflate (falls back to mf_now where no such clock exists). */
double mf_cpu_now(void);
/* CPU seconds (user + system) used so far by this process, all threads (under SMPI: mf_now). */
double mf_process_cpu_now(void);
/* Sleeps for about s seconds (returns early on a signal). */
void mf_nap(double s);
/* Fills s with zeros and this process's rank and host name. */
void mf_rank_stats_init(mf_rank_stats *s, int rank);
/* Writes the JSON report (one object, schema in README.md) to f. per_rank holds run->ranks entries;
   "kernel128" names the 128-bit kernel (every rank selects the same). */
void mf_stats_write_json(FILE *f, const mf_run_stats *run, const mf_rank_stats *per_rank);
/* The same into the file at path (created or truncated). Returns 0, or -1 after printing a message naming
   the file. */
int mf_stats_write_file(const char *path, const mf_run_stats *run, const mf_rank_stats *per_rank);

#endif
