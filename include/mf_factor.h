/* Factorizes one number by naive trial division (2, then every odd p while p*p <= n), resumably;
   the cofactor moves to the cheaper kernel (GMP, 128-bit, 64-bit) as soon as it fits. */
#ifndef MPIFACTOR_FACTOR_H
#define MPIFACTOR_FACTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <gmp.h>

#include "mf_value.h"

/* The state of one factorization in progress. The caller runs it in slices of a candidate budget,
   so a loop can service messages between slices. */
typedef struct mf_factor_job {
    mf_factored *out;      /* result being built (not owned) */
    bool big;              /* the remaining cofactor is in nz (>= 2^128) */
    bool wide;             /* else: it is nh 2^64 + nl (2^64 <= cofactor < 2^128); else in n64 */
    uint64_t n64;
    uint64_t nh, nl;
    mpz_t nz;
    uint64_t p;            /* next odd candidate divisor */
    uint64_t max_divisor;  /* 0: unbounded */
    uint64_t candidates;   /* candidate divisors tested so far (2 counts as one) */
    bool range;            /* scanning one range of candidates only (see mf_job_start_range) */
    bool done;
} mf_factor_job;

/* Initializes an idle job. Pair with mf_job_clear. */
void mf_job_init(mf_factor_job *job);
/* Releases the job's GMP storage. */
void mf_job_clear(mf_factor_job *job);
/* Starts factorizing n into out (out is reset; out->n becomes n). max_divisor 0 means unbounded,
   else trial division stops after the largest candidate <= max_divisor (max_divisor >= 2). */
void mf_job_start(mf_factor_job *job, mf_factored *out, const mf_value *n, uint64_t max_divisor);
/* Starts scanning the odd candidates lo..hi (lo odd, 3 <= lo <= hi) of cofactor c (odd, >= 2) into out:
   out->n becomes c and out->factors every divisor found in the range, ascending, each as often as it
   divided the job's copy of c (a divisor may be composite when c has prime factors below lo). The scan
   stops early once p*p exceeds the copy; what is left of the copy is not reported. */
void mf_job_start_range(mf_factor_job *job, mf_factored *out, const mf_value *c, uint64_t lo, uint64_t hi);
/* Stops an unfinished job where it is, so that others can go on with it: out then holds the factors found
   so far with complete = false and the remaining cofactor, and *next_p the next candidate to test.
   Returns true, or false when the job was in fact finished (out final, as after mf_job_run). */
bool mf_job_suspend(mf_factor_job *job, uint64_t *next_p);
/* Odd candidates the job has still to test at most: from its next candidate to the root of its cofactor (or
   its bound, where lower); UINT64_MAX when that does not fit. 0 for a finished job. */
uint64_t mf_job_candidates_left(const mf_factor_job *job);
/* Tests up to about budget more candidates. Returns true once the job is done: out then holds the
   prime factors in ascending order and, if the bound stopped it, complete = false and the cofactor. */
bool mf_job_run(mf_factor_job *job, uint64_t budget);
/* Convenience: factorizes n completely (or up to max_divisor) into out; returns candidates tested. */
uint64_t mf_factor(mf_factored *out, const mf_value *n, uint64_t max_divisor);

#endif
