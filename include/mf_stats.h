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
    int parent;           /* the rank it took work from: 0, or its node's leader (-1 for rank 0) */
    uint64_t units_served;/* units it handed out to its kids (rank 0 and node leaders) */
    double service_s;     /* a leader's seconds spent serving its kids (rank 0's: the run's wall time less its
                             busy and idle time) */
    uint64_t ranges_relayed; /* a leader: ranges of rank 0's split numbers it cut into pieces for its node */
    uint64_t numbers_split;  /* rank 0 and leaders: numbers it split into ranges over the ranks it serves */
    uint64_t wasted_candidates; /* ... and candidates of its splits' ranges scanned in vain (beyond the factors) */
    uint64_t ranges_stopped; /* ranges it ended early or skipped, its master having found their number's factors */
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
    uint64_t numbers_split;   /* numbers rank 0 split into ranges across ranks (a leader's: in per_rank) */
    uint64_t wasted_candidates; /* candidates of ranges scanned in vain (the number was already done), at every
                                   level: rank 0's splits and each leader's */
    uint64_t units_handed_back; /* units that handed back their unstarted rest or their number in progress */
    uint64_t yields_asked;    /* requests to hand back, each made for a rank that would otherwise idle */
    double grain_s;           /* the scheduler's grain at the end (mf_sched_grain_s) */
    const char *schedule;     /* the policy: adaptive, map or static (--schedule) */
    bool parallel_io;         /* workers read and wrote the files themselves (--parallel-io, or auto) */
    int leaders;              /* node leaders serving their node's ranks (0: rank 0 served every rank) */
    int opening;              /* ... of which took their first slice without a message (mf_sched_opening_bytes) */
    int exit_code;
} mf_run_stats;

/* Rank 0's seconds spent serving over its first run_s seconds: its run less its own factoring and its naps (its
   --stats service_s, and what its serve-only rule weighs). */
double mf_rank0_service_s(const mf_rank_stats *r, double run_s);

/* Monotonic clock in seconds. */
double mf_now(void);
/* CPU seconds used by the calling thread: the measure of work that time slicing by other processes does not
   inflate (falls back to mf_now where no such clock exists). */
double mf_cpu_now(void);
/* CPU seconds (user + system) used so far by this process, all threads (under SMPI: mf_now). */
double mf_process_cpu_now(void);
/* Sleeps for about s seconds (returns early on a signal). */
void mf_nap(double s);

#define MF_NAP_FIRST_S 20e-6   /* a rank that finds nothing to do naps this long first, then twice as long ... */
#define MF_NAP_SHORT_S 100e-6  /* ... at most this while its idleness is young (a unit or a result is due) ... */
#define MF_NAP_LONG_S 1e-3     /* ... and at most this once it has been idle MF_NAP_PATIENCE_S */
#define MF_NAP_PATIENCE_S 5e-3

/* The length of a rank's next nap when it found nothing to do again: double the last one (`nap`), within
   MF_NAP_SHORT_S while it has been idle (`idle_s`) less than MF_NAP_PATIENCE_S, else within MF_NAP_LONG_S.
   Short naps while a reply is due keep a round trip of small units near the message latency (with naps up
   to 1 ms on both sides, 2000 units of 10 cheap numbers took 0.5 s at 2 ranks; now 0.07 s); long ones keep
   a rank with nothing coming (the end of a run, a slow start) off the CPU and cheap to simulate. Pure. */
double mf_nap_next(double nap, double idle_s);

/* A rank's naps while it finds nothing to do: each one mf_nap_next of the last, counted from when the
   idleness began. */
typedef struct mf_idler {
    double nap;   /* the next nap's length */
    double since; /* when the rank last found nothing to do, < 0 while it works */
} mf_idler;

/* Marks the rank busy (also the starting state): its next idleness starts afresh with the first nap. */
void mf_idler_busy(mf_idler *i);
/* Naps once, as long as the idleness so far calls for (see mf_nap_next). */
void mf_idler_nap(mf_idler *i);
/* Fills s with zeros and this process's rank and host name. */
void mf_rank_stats_init(mf_rank_stats *s, int rank);
/* Writes the JSON report (one object, schema in README.md) to f. per_rank holds run->ranks entries;
   "kernel128" names the 128-bit kernel (every rank selects the same). */
void mf_stats_write_json(FILE *f, const mf_run_stats *run, const mf_rank_stats *per_rank);
/* The same into the file at path (created or truncated). Returns 0, or -1 after printing a message naming
   the file. */
int mf_stats_write_file(const char *path, const mf_run_stats *run, const mf_rank_stats *per_rank);

#endif
