/* Resumable trial division of one number: GMP kernel from 2^128, 128-bit kernel from 2^64, else u64. */
#include "mf_factor.h"

#include "mf_kernel_mpz.h"
#include "mf_kernel_u128.h"
#include "mf_kernel_u64.h"

__extension__ typedef unsigned __int128 mf_u128;

void mf_job_init(mf_factor_job *job)
{
    job->out = NULL;
    job->big = false;
    job->wide = false;
    job->n64 = 0;
    job->nh = job->nl = 0;
    mpz_init(job->nz);
    job->p = 3;
    job->max_divisor = 0;
    job->candidates = 0;
    job->range = false;
    job->done = true;
}

void mf_job_clear(mf_factor_job *job)
{
    mpz_clear(job->nz);
}

/* Sets z to nh 2^64 + nl. */
static void set_wide_mpz(mpz_ptr z, uint64_t nh, uint64_t nl)
{
    uint64_t limbs[2] = {nl, nh};
    mpz_import(z, 2, -1, sizeof limbs[0], 0, 0, limbs);
}

/* Moves the cofactor in job->nz to the 128-bit or 64-bit form when it fits (nz must be > 0). */
static void move_down(mf_factor_job *job)
{
    size_t bits = mpz_sizeinbase(job->nz, 2);
    if (bits > 128)
        return;
    uint64_t limbs[2] = {0, 0};
    mpz_export(limbs, NULL, -1, sizeof limbs[0], 0, 0, job->nz);
    job->big = false;
    job->wide = bits > 64;
    job->nh = limbs[1];
    job->nl = limbs[0];
    job->n64 = limbs[0];
}

/* Marks the job finished with the remaining cofactor left unfactored. */
static void finish_incomplete(mf_factor_job *job)
{
    job->out->complete = false;
    if (job->wide)
        set_wide_mpz(job->nz, job->nh, job->nl);
    if (job->big || job->wide)
        mf_value_set_mpz(&job->out->cofactor, job->nz);
    else
        mf_value_set_u64(&job->out->cofactor, job->n64);
    job->done = true;
}

void mf_job_start(mf_factor_job *job, mf_factored *out, const mf_value *n, uint64_t max_divisor)
{
    job->out = out;
    mf_factored_reset(out);
    mf_value_copy(&out->n, n);
    job->max_divisor = max_divisor;
    job->candidates = 0;
    job->p = 3;
    job->range = false;
    job->done = false;
    job->big = n->is_big;
    job->wide = false;
    if (job->big) {
        mpz_set(job->nz, n->z);
        mp_bitcnt_t twos = mpz_scan1(job->nz, 0);
        for (mp_bitcnt_t i = 0; i < twos; i++)
            mf_factored_push_u64(out, 2);
        mpz_tdiv_q_2exp(job->nz, job->nz, twos);
        job->candidates = 1;
        move_down(job);
        return;
    }
    job->n64 = n->u;
    if (job->n64 < 2) {
        job->done = true;
        return;
    }
    job->candidates = 1;
    int twos = __builtin_ctzll(job->n64);
    for (int i = 0; i < twos; i++)
        mf_factored_push_u64(out, 2);
    job->n64 >>= twos;
}

void mf_job_start_range(mf_factor_job *job, mf_factored *out, const mf_value *c, uint64_t lo, uint64_t hi)
{
    job->out = out;
    mf_factored_reset(out);
    mf_value_copy(&out->n, c);
    job->max_divisor = hi;
    job->candidates = 0;
    job->p = lo;
    job->range = true;
    job->done = false;
    job->big = c->is_big;
    job->wide = false;
    if (job->big) {
        mpz_set(job->nz, c->z);
        move_down(job);
    } else {
        job->n64 = c->u;
    }
}

bool mf_job_suspend(mf_factor_job *job, uint64_t *next_p)
{
    if (job->done)
        return false;
    bool trivial = job->max_divisor && job->p > job->max_divisor;
    if (!job->big && !job->wide)
        trivial |= (mf_u128)job->p * job->p > job->n64;
    if (trivial) {
        mf_job_run(job, 1); /* finishes without testing a candidate */
        return false;
    }
    job->out->complete = false;
    if (job->wide)
        set_wide_mpz(job->nz, job->nh, job->nl);
    if (job->big || job->wide)
        mf_value_set_mpz(&job->out->cofactor, job->nz);
    else
        mf_value_set_u64(&job->out->cofactor, job->n64);
    *next_p = job->p;
    return true;
}

uint64_t mf_job_candidates_left(const mf_factor_job *job)
{
    if (job->done)
        return 0;
    uint64_t root = UINT64_MAX; /* a cofactor of 2^128 or more: its root does not fit */
    if (!job->big)
        root = job->wide ? mf_u128_isqrt(job->nh, job->nl) : mf_u64_isqrt(job->n64);
    if (job->max_divisor && root > job->max_divisor)
        root = job->max_divisor;
    if (root == UINT64_MAX)
        return UINT64_MAX;
    return root < job->p ? 0 : (root - job->p) / 2 + 1;
}

/* Largest odd candidate allowed by the bound (or hi when unbounded). */
static uint64_t clamp_to_bound(const mf_factor_job *job, uint64_t hi)
{
    if (job->max_divisor && hi > job->max_divisor)
        hi = job->max_divisor % 2 ? job->max_divisor : job->max_divisor - 1;
    return hi;
}

/* Last candidate of a slice from job->p: the root, at most budget candidates on, and the bound. */
static uint64_t slice_end(const mf_factor_job *job, uint64_t root, uint64_t budget)
{
    uint64_t hi = root;
    if ((hi - job->p) / 2 >= budget)
        hi = job->p + 2 * (budget - 1);
    return clamp_to_bound(job, hi);
}

/* Smallest odd divisor of n < 2^64 in lo..hi, or 0, each part of the range with the fastest kernel: the
   32-bit tables for n < 2^32; the 64-bit kernel while it needs no Newton inverses (its table, AVX-512, or
   AVX2's reciprocals for n < 2^63); past that, the 128-bit kernel unless it is the plain reference
   (measured on an EPYC with AVX2: 0.6 ns per candidate with AVX2, 1.7 portable, 5.3 for the 64-bit
   kernel's Newton inverses). */
static uint64_t find_u64(uint64_t n, uint64_t lo, uint64_t hi)
{
    if (n <= UINT32_MAX)
        return mf_u32_find_divisor((uint32_t)n, lo, hi);
    uint64_t table_end = mf_u64_table_end(n);
    if (hi < table_end || !mf_u128_kernel_beats_newton())
        return mf_u64_find_divisor(n, lo, hi);
    uint64_t wide_lo = table_end | 1;
    if (lo < wide_lo) {
        uint64_t d = mf_u64_find_divisor(n, lo, wide_lo - 2);
        if (d)
            return d;
        lo = wide_lo;
    }
    return mf_u128_find_divisor(0, n, lo, hi);
}

/* One slice on a cofactor below 2^64. Returns the candidates used. */
static uint64_t run_u64(mf_factor_job *job, uint64_t budget)
{
    /* p <= 2^32 + 1 here, so p * p fits in 128 bits; the square root is only needed to go on */
    if ((mf_u128)job->p * job->p > job->n64) {
        if (job->n64 > 1 && !job->range)
            mf_factored_push_u64(job->out, job->n64);
        job->done = true;
        return 0;
    }
    uint64_t root = mf_u64_isqrt(job->n64);
    if (job->p > root) {
        if (job->n64 > 1 && !job->range)
            mf_factored_push_u64(job->out, job->n64);
        job->done = true;
        return 0;
    }
    if (job->max_divisor && job->p > job->max_divisor) {
        finish_incomplete(job);
        return 0;
    }
    uint64_t hi = slice_end(job, root, budget);
    uint64_t d = find_u64(job->n64, job->p, hi);
    uint64_t end = d ? d : hi;
    uint64_t used = (end - job->p) / 2 + 1;
    if (d) {
        mf_factored_push_u64(job->out, d);
        job->n64 /= d;
        job->p = d;
    } else {
        job->p = hi + 2;
    }
    return used;
}

/* One slice on a cofactor of 2^64 or more. Returns the candidates used. */
static uint64_t run_mpz(mf_factor_job *job, uint64_t budget)
{
    if (job->max_divisor && job->p > job->max_divisor) {
        finish_incomplete(job);
        return 0;
    }
    if (job->p > UINT64_MAX - (budget * 2 + 256)) { /* unreachable in practice: 2^63 candidates */
        finish_incomplete(job);
        return 0;
    }
    uint64_t hi = clamp_to_bound(job, job->p + 2 * (budget - 1));
    uint64_t d = mf_mpz_find_divisor(job->nz, job->p, hi);
    uint64_t end = d ? d : hi;
    uint64_t used = (end - job->p) / 2 + 1;
    if (d) {
        mf_factored_push_u64(job->out, d);
        mpz_divexact_ui(job->nz, job->nz, (unsigned long)d);
        job->p = d;
    } else {
        job->p = hi + 2;
    }
    move_down(job);
    return used;
}

/* Pushes the prime cofactor nh 2^64 + nl (>= 2^64) as the last factor (not in a range scan) and finishes
   the job. */
static void finish_wide_prime(mf_factor_job *job)
{
    if (!job->range) { /* a range scan reports only the divisors in its range */
        set_wide_mpz(job->nz, job->nh, job->nl);
        mf_value_set_mpz(mf_factored_push(job->out), job->nz);
    }
    job->done = true;
}

/* One slice on a cofactor with 2^64 <= n < 2^128. Returns the candidates used. */
static uint64_t run_u128(mf_factor_job *job, uint64_t budget)
{
    uint64_t root = mf_u128_isqrt(job->nh, job->nl);
    if (job->p > root) {
        finish_wide_prime(job);
        return 0;
    }
    if (job->max_divisor && job->p > job->max_divisor) {
        finish_incomplete(job);
        return 0;
    }
    uint64_t hi = slice_end(job, root, budget);
    uint64_t d = mf_u128_find_divisor(job->nh, job->nl, job->p, hi);
    uint64_t end = d ? d : hi;
    uint64_t used = (end - job->p) / 2 + 1;
    if (d) {
        mf_factored_push_u64(job->out, d);
        mf_u128 n = ((mf_u128)job->nh << 64 | job->nl) / d;
        job->nh = (uint64_t)(n >> 64);
        job->nl = (uint64_t)n;
        job->p = d;
        if (job->nh == 0) {
            job->wide = false;
            job->n64 = job->nl;
        }
    } else if (hi == UINT64_MAX) {
        finish_wide_prime(job); /* every candidate below 2^64 tested (root is then 2^64 - 1) */
    } else {
        job->p = hi + 2;
    }
    return used;
}

bool mf_job_run(mf_factor_job *job, uint64_t budget)
{
    if (budget == 0)
        budget = 1;
    while (!job->done && budget > 0) {
        uint64_t tested, cost;
        if (job->big) {
            /* a big remainder costs about one word operation per limb and candidate */
            uint64_t weight = 1 + (uint64_t)mpz_size(job->nz) / 4;
            uint64_t slice = budget / weight ? budget / weight : 1;
            tested = run_mpz(job, slice < 4096 ? slice : 4096);
            cost = tested * weight;
        } else if (job->wide) {
            tested = run_u128(job, budget);
            cost = tested;
        } else {
            tested = run_u64(job, budget);
            cost = tested;
        }
        job->candidates += tested;
        budget = cost >= budget ? 0 : budget - cost;
    }
    return job->done;
}

uint64_t mf_factor(mf_factored *out, const mf_value *n, uint64_t max_divisor)
{
    mf_factor_job job;
    mf_job_init(&job);
    mf_job_start(&job, out, n, max_divisor);
    while (!mf_job_run(&job, UINT64_C(1) << 40))
        ;
    uint64_t c = job.candidates;
    mf_job_clear(&job);
    return c;
}
