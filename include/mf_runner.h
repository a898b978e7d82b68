/* Factorizes one encoded work unit in slices and builds its encoded result (pure: no MPI). */
#ifndef MPIFACTOR_RUNNER_H
#define MPIFACTOR_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "mf_buf.h"
#include "mf_codec.h"
#include "mf_factor.h"

typedef struct mf_runner {
    mf_buf unit;            /* the unit being factorized */
    mf_unit_header hdr;
    uint32_t index;         /* numbers of the unit finished */
    bool active;            /* a unit is loaded and not finished */
    bool in_number;         /* job holds a number in progress */
    mf_factor_job job;
    mf_factored fac;
    mf_value n;
    mf_buf result;          /* encoded result, complete once mf_runner_step returns true */
    uint64_t candidates;    /* candidates tested for this unit */
    double busy_s;          /* compute seconds spent on this unit */
    uint64_t max_divisor;
} mf_runner;

/* Initializes an idle runner; max_divisor as in mf_job_start (0: unbounded). */
void mf_runner_init(mf_runner *r, uint64_t max_divisor);
/* Frees all storage. */
void mf_runner_free(mf_runner *r);
/* Loads the encoded unit in *unit (swapped in: *unit gets the runner's old buffer). Returns 0, or
   -1 when the unit is malformed. */
int mf_runner_load(mf_runner *r, mf_buf *unit);
/* Works on the loaded unit for about budget candidates (each number counts at least 16).
   Returns true when the unit is finished: r->result then holds the encoded result, with the unit's
   compute time and candidates in its header, and r->active is false. Returns false otherwise.
   A malformed number sets *bad (when not NULL) and finishes the unit early. */
bool mf_runner_step(mf_runner *r, uint64_t budget, bool *bad);

#endif
