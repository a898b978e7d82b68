/* Works through one encoded work unit in slices and builds its encoded result (pure: no MPI).

   A text unit is tokenized, factorized and formatted here, so that rank 0 only moves bytes. A unit asked
   to yield (mf_runner_yield: the master asks when a rank would otherwise idle) cuts off the back half of its
   unstarted rest after a short slice, to be sent back at once (mf_runner_take_rest), and goes on with the
   number it has begun and the front half. Asked to split and holding no rest, it suspends the number in
   progress and returns it as a partial factorization, to be continued in candidate ranges. A unit never
   hands back on its own: how long it runs says nothing about demand. */
#ifndef MPIFACTOR_RUNNER_H
#define MPIFACTOR_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "mf_buf.h"
#include "mf_codec.h"
#include "mf_factor.h"
#include "mf_input.h"
#include "mf_output.h"
#include "mf_pace.h"

typedef struct mf_runner_opts {
    uint64_t max_divisor;          /* as in mf_job_start (0: unbounded) */
    mf_format format;
    bool verify;                   /* check every factorization with mf_verify */
    bool yieldable;                /* hands back when asked (mf_runner_yield); false: never (-np 1) */
    const char *const *paths;      /* input names for messages (not owned) */
    int npaths;
} mf_runner_opts;

typedef struct mf_runner {
    mf_runner_opts opt;
    mf_buf unit;            /* the unit being worked on */
    mf_unit u;
    mf_value cofactor;      /* a range unit's number */
    mf_scan scan;
    bool active;            /* a unit is loaded and not finished */
    bool in_number;         /* job holds a number in progress */
    mf_factor_job job;
    mf_factored fac;
    mf_value n;
    mpz_t scratch;
    mf_buf msgs;            /* stderr lines of this unit */
    mf_buf result;          /* encoded result, complete once mf_runner_step returns true */
    uint64_t numbers, invalid, verify_failures, unfactored;
    uint64_t candidates;    /* candidates tested for this unit */
    double busy_s;          /* compute seconds (wall clock) spent on this unit */
    double cpu_s;           /* CPU seconds spent on this unit */
    double cpu_mark;        /* the thread's CPU clock at the end of the last slice (or mf_runner_mark_cpu) */
    double number_busy_s;   /* compute seconds (wall clock) spent on the number in progress */
    double number_cpu_s;    /* CPU seconds spent on the number in progress */
    bool relative;          /* the text unit's lines count from 1 (line 0 in the unit: cut by byte offset) */
    bool yield_asked;       /* hand back at the end of the next (short) slice */
    uint64_t yield_split_least; /* ... and, with no rest to hand back, split the number in progress when it has
                                   at least this many candidates left (0: never) */
    bool rest_ready;        /* rest holds a cut-off rest for mf_runner_take_rest */
    mf_buf rest;            /* the unstarted rest, encoded as a text unit with this unit's id */
    bool suspended;         /* ... and the partial number was among it */
    uint64_t dropped[4];    /* ids of range units no longer needed (mf_runner_drop), most recent last */
    int ndropped;
    bool drop_now;          /* the loaded range unit is one of them: it ends at its next step */
    bool slice_full;        /* the last step tested its whole budget (not finished, not cut short to yield) */
    double slice_s;         /* ... in this many compute seconds (simulated ones, as charged, in a simulation) */
    char err[512];
} mf_runner;

/* Initializes an idle runner. The paths in opts must outlive it. */
void mf_runner_init(mf_runner *r, const mf_runner_opts *opts);
/* Frees all storage. */
void mf_runner_free(mf_runner *r);
/* Loads the encoded unit in *unit (swapped in: *unit gets the runner's old buffer). Returns 0, or
   -1 when the unit is malformed. */
int mf_runner_load(mf_runner *r, mf_buf *unit);
/* Works on the loaded unit for about budget candidates (each token counts at least 16).
   Returns true when the unit is finished: r->result then holds the encoded result and r->active is false.
   r->slice_full and r->slice_s say whether the step ran its whole budget, and how long. */
bool mf_runner_step(mf_runner *r, uint64_t budget);
/* mf_runner_step with the budget pace p sets, fed back to p when the step ran it in full. */
bool mf_runner_step_paced(mf_runner *r, mf_pace *p);
/* Starts the runner's CPU clock now, so that the next step's CPU time excludes what the thread did since
   the last one (rank 0 serves between its own steps; a worker does almost nothing there and skips the
   extra clock call). */
void mf_runner_mark_cpu(mf_runner *r);
/* Asks the loaded text unit `id` to hand back at the end of its next slice, kept short: the back half of its
   unstarted rest (cut at a line start; all of it when that half holds no token) when it holds one (then
   ready for mf_runner_take_rest; the unit goes on), else the number in progress suspended (the unit then
   ends: mf_runner_step returns true) when split_least > 0 and the number has at least split_least candidates
   left (fewer: the request lapses, the number finishes here, as splitting it would only move it). Does
   nothing for another unit, a range unit or when handing back is off (opts.yieldable false). Returns true
   when the request applies. */
bool mf_runner_yield(mf_runner *r, uint64_t id, uint64_t split_least);
/* Two split requests as one: the smaller nonzero least (0: neither asks for a split). */
static inline uint64_t mf_split_least_merge(uint64_t a, uint64_t b)
{
    return a == 0 || (b != 0 && b < a) ? b : a;
}
/* Range units `id` (every range of one split number has its number's id) are no longer needed: the loaded one,
   and one loaded later, ends at its next step with what it scanned so far (its master drops the report, whose
   candidates count as wasted). Remembers the last few ids dropped, enough for the units a rank holds. Returns
   true when the loaded unit is one of them. */
bool mf_runner_drop(mf_runner *r, uint64_t id);
/* Moves a rest cut off by a yield (a text unit with the yielding unit's id, the rest of its slice) into *out
   (swapped). Returns false when there is none. */
bool mf_runner_take_rest(mf_runner *r, mf_buf *out);

#endif
