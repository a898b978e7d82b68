/* uint64_t trial-division kernel: divisibility by multiplying with the inverse of p modulo 2^64.

   For odd p and q = n * inv(p) mod 2^64: when p | n, q = n / p exactly; otherwise q * p = n + k * 2^64
   for some k >= 1, so q > 2^64 / p. Within a block of candidates starting at lo, every true divisor
   has q <= floor(n / lo) = T, so "q <= T" is a filter with no false negatives; rare false positives
   (q random and small) are confirmed with one real division. One multiply and one compare per
   candidate, one division per block. Inverses come from a table grown on demand, or are computed
   with Newton's iteration past the table's cap. */
#ifndef _DEFAULT_SOURCE /* (smpicc defines it) */
#define _DEFAULT_SOURCE /* madvise */
#endif
#include "mf_kernel_u64.h"
#include "mf_cpu.h"
#include "mf_sim.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MF_HAVE_AVX512_BUILD 1
#include <immintrin.h>
#endif

#define BLOCK 256                     /* candidates per block (one division per block) */
#define TABLE_CAP_P (UINT64_C(1) << 21) /* largest p kept in the inverse table (8 MiB) */

static uint64_t *g_inv;        /* g_inv[i] = inverse of p = 3 + 2 i */
static uint64_t g_inv_count;   /* entries in g_inv */
static mf_u64_kernel g_kernel = MF_KERNEL_AUTO;

#define SMALL_P_MAX 65535u               /* candidates of numbers below 2^32 */
#define SMALL_COUNT ((SMALL_P_MAX - 1) / 2) /* odd p = 3 .. 65535 */
static uint32_t *g_small;     /* inverses of p modulo 2^32, then floor((2^32 - 1) / p), p = 3, 5, ... */
static bool g_small_vector;  /* small numbers may use AVX2 (not when the scalar kernel was asked for) */

uint64_t mf_u64_inverse(uint64_t p)
{
    uint64_t x = (3 * p) ^ 2; /* correct to 5 bits for odd p */
    x *= 2 - p * x;           /* 10 bits */
    x *= 2 - p * x;           /* 20 */
    x *= 2 - p * x;           /* 40 */
    x *= 2 - p * x;           /* 80 >= 64 */
    return x;
}

uint64_t mf_u64_isqrt(uint64_t n)
{
    uint64_t r = (uint64_t)sqrt((double)n);
    if (r > UINT64_C(0xFFFFFFFF))
        r = UINT64_C(0xFFFFFFFF);
    while (r * r > n)
        r--;
    while (r < UINT64_C(0xFFFFFFFF) && (r + 1) * (r + 1) <= n)
        r++;
    return r;
}

void mf_u64_kernel_release(void)
{
    mf_sim_shared_free(g_small);
    g_small = NULL;
    mf_sim_shared_free(g_inv);
    g_inv = NULL;
    g_inv_count = 0;
}

/* Sets t[i] to the inverse of p = 3 + 2 i for from <= i < to (8 lanes at a time where the CPU has AVX-512:
   the whole table then costs a few milliseconds instead of tens, once per process). */
static void fill_inverses(uint64_t *t, uint64_t from, uint64_t to);

/* Asks the kernel for huge pages over the block at p: a 4 MiB table filled on 4 KiB pages takes 1024 page faults,
   about 20 ms on a virtual machine, more than the candidates of a 40-bit prime (advice only: errors ignored). */
static void advise_huge_pages(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t huge = (uintptr_t)2 << 20, from = ((uintptr_t)p + huge - 1) & ~(huge - 1), to = (uintptr_t)p + bytes;
    if (to > from)
        (void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

/* Grows the table so that it covers p <= want_p (up to the cap). Returns the largest p covered. */
static uint64_t table_cover(uint64_t want_p)
{
    uint64_t have_p = g_inv_count ? 1 + 2 * g_inv_count : 1;
    if (want_p <= have_p || have_p + 2 > TABLE_CAP_P)
        return have_p;
    uint64_t new_p = have_p < 4096 ? 4096 : have_p;
    while (new_p < want_p && new_p < TABLE_CAP_P)
        new_p *= 2;
    if (new_p > TABLE_CAP_P)
        new_p = TABLE_CAP_P;
    uint64_t count = (new_p - 1) / 2; /* p = 3 .. 2 count + 1 */
    if (count <= g_inv_count)
        return have_p;
    uint64_t *t = g_inv;
    if (!t) {
        /* the whole cap at once (pages untouched cost nothing): the table then grows in place, never copied */
        size_t cap = (TABLE_CAP_P - 1) / 2 * sizeof *t;
        t = mf_sim_shared_realloc(NULL, cap, cap);
        if (!t)
            return have_p;
        if (!mf_sim_enabled()) /* simulated ranks: one block for all, already touched */
            advise_huge_pages(t, cap);
    }
    /* simulated ranks share one table: each still fills its own growth (the same values again), so that it is
       charged what a real rank pays for its own table, no rank more and none less */
    fill_inverses(t, g_inv_count, count);
    g_inv = t;
    g_inv_count = count;
    return 1 + 2 * g_inv_count;
}

/* Returns the inverses of the cnt odd candidates from p0: a pointer into the table, or scratch filled. */
static const uint64_t *block_inverses(uint64_t p0, unsigned cnt, uint64_t *scratch)
{
    uint64_t last = p0 + 2 * (uint64_t)(cnt - 1);
    if (p0 < TABLE_CAP_P && table_cover(last) >= last) /* a block past the cap never grows the table */
        return g_inv + (p0 - 3) / 2;
    for (unsigned i = 0; i < cnt; i++)
        scratch[i] = mf_u64_inverse(p0 + 2 * (uint64_t)i);
    return scratch;
}

uint64_t mf_u64_find_divisor_plain(uint64_t n, uint64_t lo, uint64_t hi)
{
    for (uint64_t p = lo; p <= hi; p += 2)
        if (n % p == 0)
            return p;
    return 0;
}

/* Confirms the filter hits of one group of candidates in ascending order (mask bit j = p0 + 2 j). */
static uint64_t confirm_hits(uint64_t n, uint64_t p0, unsigned mask)
{
    while (mask) {
        unsigned j = (unsigned)__builtin_ctz(mask);
        uint64_t p = p0 + 2 * (uint64_t)j;
        if (n % p == 0)
            return p;
        mask &= mask - 1;
    }
    return 0;
}

/* Slow path of a filter hit: the smallest of the count odd candidates from p that divides n, or 0
   (kept out of line so the hot loop keeps its registers). */
__attribute__((noinline)) static uint64_t confirm_range(uint64_t n, uint64_t p, unsigned count)
{
    for (unsigned j = 0; j < count; j++, p += 2)
        if (n % p == 0)
            return p;
    return 0;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t find_scalar(uint64_t n, uint64_t lo, uint64_t hi)
{
    uint64_t scratch[BLOCK];
    for (uint64_t p0 = lo; p0 <= hi; p0 += 2 * BLOCK) {
        uint64_t span = (hi - p0) / 2 + 1;
        unsigned cnt = span < BLOCK ? (unsigned)span : BLOCK;
        const uint64_t *inv = block_inverses(p0, cnt, scratch);
        uint64_t t = n / p0;
        unsigned i = 0;
        for (; i + 16 <= cnt; i += 16) {
            /* sixteen independent multiplies folded into four minimums; one test decides the common case */
            const uint64_t *v = inv + i;
            uint64_t m0 = min_u64(min_u64(n * v[0], n * v[1]), min_u64(n * v[2], n * v[3]));
            uint64_t m1 = min_u64(min_u64(n * v[4], n * v[5]), min_u64(n * v[6], n * v[7]));
            uint64_t m2 = min_u64(min_u64(n * v[8], n * v[9]), min_u64(n * v[10], n * v[11]));
            uint64_t m3 = min_u64(min_u64(n * v[12], n * v[13]), min_u64(n * v[14], n * v[15]));
            if (((m0 <= t) | (m1 <= t) | (m2 <= t) | (m3 <= t)) == 0)
                continue;
            uint64_t d = confirm_range(n, p0 + 2 * (uint64_t)i, 16);
            if (d)
                return d;
        }
        for (; i < cnt; i++)
            if (n * inv[i] <= t && n % (p0 + 2 * (uint64_t)i) == 0)
                return p0 + 2 * (uint64_t)i;
    }
    return 0;
}

#ifdef MF_HAVE_AVX512_BUILD
#define AVX512_TARGET __attribute__((target("avx512f,avx512dq,fma")))

AVX512_TARGET
static __m512i inverse8(__m512i p)
{
    const __m512i two = _mm512_set1_epi64(2);
    __m512i x = _mm512_xor_si512(_mm512_mullo_epi64(p, _mm512_set1_epi64(3)), two);
    for (int k = 0; k < 4; k++)
        x = _mm512_mullo_epi64(x, _mm512_sub_epi64(two, _mm512_mullo_epi64(p, x)));
    return x;
}

AVX512_TARGET
static void fill_inverses_avx512(uint64_t *t, uint64_t from, uint64_t to)
{
    const __m512i step = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    uint64_t i = from;
    for (; i + 8 <= to; i += 8)
        _mm512_storeu_si512((void *)(t + i), inverse8(_mm512_add_epi64(_mm512_set1_epi64((long long)(3 + 2 * i)), step)));
    for (; i < to; i++)
        t[i] = mf_u64_inverse(3 + 2 * i);
}

/* Candidates past the inverse table (p >= 2^21), 8 per step, with no inverses at all: q = round(n / p)
   in double precision is exact whenever p | n (q < 2^43, error < 2^-8), so p | n exactly when
   q * p == n modulo 2^64 (otherwise |q p - n| < 2 p, far from a multiple of 2^64). The reciprocal is
   rcp14 refined by two Newton steps. lo odd and >= 2^14; returns the smallest hit or 0. */
AVX512_TARGET
static uint64_t find_avx512_reciprocal(uint64_t n, uint64_t lo, uint64_t hi)
{
    const __m512i nv = _mm512_set1_epi64((long long)n);
    const __m512d nd = _mm512_set1_pd((double)n);
    const __m512d one = _mm512_set1_pd(1.0);
    __m512i pv = _mm512_add_epi64(_mm512_set1_epi64((long long)lo), _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14));
    __m512d pd = _mm512_cvtepu64_pd(pv);
    const __m512i step_i = _mm512_set1_epi64(16);
    const __m512d step_d = _mm512_set1_pd(16.0);
    for (uint64_t p0 = lo; p0 <= hi; p0 += 16) {
        __mmask8 live = hi - p0 >= 14 ? 0xFF : (__mmask8)((1u << ((hi - p0) / 2 + 1)) - 1);
        __m512d r = _mm512_rcp14_pd(pd);
        r = _mm512_fmadd_pd(r, _mm512_fnmadd_pd(pd, r, one), r);
        r = _mm512_fmadd_pd(r, _mm512_fnmadd_pd(pd, r, one), r);
        __m512i q = _mm512_cvt_roundpd_epu64(_mm512_mul_pd(nd, r), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        unsigned m = _mm512_mask_cmpeq_epu64_mask(live, _mm512_mullo_epi64(q, pv), nv);
        if (m) {
            uint64_t d = confirm_hits(n, p0, m);
            if (d)
                return d;
        }
        pv = _mm512_add_epi64(pv, step_i);
        pd = _mm512_add_pd(pd, step_d);
        if (hi - p0 < 16)
            break;
    }
    return 0;
}

AVX512_TARGET
static uint64_t find_avx512(uint64_t n, uint64_t lo, uint64_t hi)
{
    uint64_t scratch[BLOCK] __attribute__((aligned(64)));
    const __m512i nv = _mm512_set1_epi64((long long)n);
    const __m512i step = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    for (uint64_t p0 = lo; p0 <= hi; p0 += 2 * BLOCK) {
        uint64_t span = (hi - p0) / 2 + 1;
        unsigned cnt = span < BLOCK ? (unsigned)span : BLOCK;
        uint64_t last = p0 + 2 * (uint64_t)(cnt - 1);
        const uint64_t *inv;
        if (p0 >= TABLE_CAP_P) {
            return find_avx512_reciprocal(n, p0, hi); /* every later block is past the table too */
        } else if (table_cover(last) >= last) {
            inv = g_inv + (p0 - 3) / 2;
        } else {
            for (unsigned i = 0; i < cnt; i += 8) {
                __m512i pv = _mm512_add_epi64(_mm512_set1_epi64((long long)(p0 + 2 * (uint64_t)i)), step);
                _mm512_store_si512((void *)(scratch + i), inverse8(pv));
            }
            inv = scratch;
        }
        const __m512i tv = _mm512_set1_epi64((long long)(n / p0));
        unsigned i = 0;
        for (; i + 32 <= cnt; i += 32) {
            __mmask8 m0 = _mm512_cmple_epu64_mask(_mm512_mullo_epi64(nv, _mm512_loadu_si512(inv + i)), tv);
            __mmask8 m1 = _mm512_cmple_epu64_mask(_mm512_mullo_epi64(nv, _mm512_loadu_si512(inv + i + 8)), tv);
            __mmask8 m2 = _mm512_cmple_epu64_mask(_mm512_mullo_epi64(nv, _mm512_loadu_si512(inv + i + 16)), tv);
            __mmask8 m3 = _mm512_cmple_epu64_mask(_mm512_mullo_epi64(nv, _mm512_loadu_si512(inv + i + 24)), tv);
            unsigned m = (unsigned)m0 | (unsigned)m1 << 8 | (unsigned)m2 << 16 | (unsigned)m3 << 24;
            if (m) {
                uint64_t d = confirm_hits(n, p0 + 2 * (uint64_t)i, m);
                if (d)
                    return d;
            }
        }
        for (; i + 8 <= cnt; i += 8) {
            unsigned m = _mm512_cmple_epu64_mask(_mm512_mullo_epi64(nv, _mm512_loadu_si512(inv + i)), tv);
            if (m) {
                uint64_t d = confirm_hits(n, p0 + 2 * (uint64_t)i, m);
                if (d)
                    return d;
            }
        }
        if (i < cnt) {
            __mmask8 live = (__mmask8)((1u << (cnt - i)) - 1);
            __m512i q = _mm512_mullo_epi64(nv, _mm512_maskz_loadu_epi64(live, inv + i));
            unsigned m = _mm512_mask_cmple_epu64_mask(live, q, tv);
            if (m) {
                uint64_t d = confirm_hits(n, p0 + 2 * (uint64_t)i, m);
                if (d)
                    return d;
            }
        }
    }
    return 0;
}

/* AVX2 with FMA, n < 2^63: no inverses at all. n = nh + nl with nh = (double)n and nl = n - nh (|nl| <=
   2^10, exact). With r ~ 1/p to a relative error e, q = round(nh r) is within (n / p)(e + 2^-52) + 2^10 / p
   of n / p; where that is below 1/2, q = n / p whenever p | n. nh - q p, computed by one fused
   multiply-add, is exact (its true value is an integer within p + 2^10 of 0), so p | n exactly when it
   equals -nl: no false hits. 16 candidates per step in four vectors; each lane's r comes from its own, 32
   below, by Newton steps: from e0 <= 32 / (p - 32) + e_before, one step leaves e <= e0^2 + 2^-52, two
   leave e <= (e0^2 + 2^-52)^2 + 2^-52. The path starts where two steps keep (n / p) e <= 1/4 (then also
   p >= 2^-48 n, so (n / p) 2^-52 <= 1/16 and 2^10 / p <= 2^-5) and takes one step where that suffices;
   candidates below the start and the last few go to the scalar kernel. */
#define RECIP_N_END (UINT64_C(1) << 63)

/* The smallest p from which k Newton steps from 32 below keep (n / p) e <= 1/4 (with 5% to spare). */
static uint64_t recip_newton_from(uint64_t n, int k)
{
    /* one step: (32 / p)^2 n / p <= 1/4, p^3 >= 2^12 n; two: (32 / p)^4 n / p <= 1/4, p^5 >= 2^22 n */
    double p = k == 1 ? cbrt(0x1p12 * (double)n) : pow(0x1p22 * (double)n, 0.2);
    return (uint64_t)(p * 1.05) + 64;
}

__attribute__((target("avx2,fma"))) static uint64_t find_avx2_reciprocal(uint64_t n, uint64_t lo, uint64_t hi)
{
    const uint64_t start = recip_newton_from(n, 2) | 1, one_step = recip_newton_from(n, 1);
    uint64_t p = lo;
    if (p < start) {
        uint64_t d = find_scalar(n, p, hi < start ? hi : start - 2);
        if (d || hi < start)
            return d;
        p = start;
    }
    if (hi - p < 30)
        return find_scalar(n, p, hi);
    const double nh = (double)n;
    const __m256d nv = _mm256_set1_pd(nh), minus_nl = _mm256_set1_pd(-(double)(int64_t)(n - (uint64_t)nh));
    const __m256d one = _mm256_set1_pd(1.0), step = _mm256_set1_pd(32.0);
    __m256d pv[4], rv[4];
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        pv[k] = _mm256_add_pd(_mm256_set1_pd((double)(p + 8 * (uint64_t)k)), _mm256_setr_pd(0, 2, 4, 6));
        rv[k] = _mm256_div_pd(one, pv[k]);
    }
    for (;;) {
        __m256d hit[4];
#pragma GCC unroll 4
        for (int k = 0; k < 4; k++) {
            __m256d q = _mm256_round_pd(_mm256_mul_pd(nv, rv[k]), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            hit[k] = _mm256_cmp_pd(_mm256_fnmadd_pd(q, pv[k], nv), minus_nl, _CMP_EQ_OQ);
        }
        __m256d any = _mm256_or_pd(_mm256_or_pd(hit[0], hit[1]), _mm256_or_pd(hit[2], hit[3]));
        if (!_mm256_testz_pd(any, any)) {
            unsigned m = 0;
#pragma GCC unroll 4
            for (int k = 0; k < 4; k++)
                m |= (unsigned)_mm256_movemask_pd(hit[k]) << 4 * k;
            return p + 2 * (uint64_t)__builtin_ctz(m);
        }
        p += 32;
        if (p > hi || hi - p < 30)
            break;
#pragma GCC unroll 4
        for (int k = 0; k < 4; k++) {
            pv[k] = _mm256_add_pd(pv[k], step);
            rv[k] = _mm256_fmadd_pd(rv[k], _mm256_fnmadd_pd(pv[k], rv[k], one), rv[k]);
            if (p < one_step)
                rv[k] = _mm256_fmadd_pd(rv[k], _mm256_fnmadd_pd(pv[k], rv[k], one), rv[k]);
        }
    }
    return p <= hi ? find_scalar(n, p, hi) : 0;
}

#endif

static void fill_inverses(uint64_t *t, uint64_t from, uint64_t to)
{
#ifdef MF_HAVE_AVX512_BUILD
    if (mf_cpu_has_avx512()) {
        fill_inverses_avx512(t, from, to);
        return;
    }
#endif
    for (uint64_t i = from; i < to; i++)
        t[i] = mf_u64_inverse(3 + 2 * i);
}

int mf_u64_kernel_select(mf_u64_kernel k)
{
    g_small_vector = k != MF_KERNEL_SCALAR && k != MF_KERNEL_PLAIN;
    if (k == MF_KERNEL_AUTO)
        k = mf_cpu_has_avx512() ? MF_KERNEL_AVX512 : mf_cpu_has_avx2_fma() ? MF_KERNEL_AVX2 : MF_KERNEL_SCALAR;
    if ((k == MF_KERNEL_AVX512 && !mf_cpu_has_avx512()) || (k == MF_KERNEL_AVX2 && !mf_cpu_has_avx2_fma()))
        return -1;
    g_kernel = k;
    return 0;
}

const char *mf_u64_kernel_name(void)
{
    if (g_kernel == MF_KERNEL_AUTO)
        mf_u64_kernel_select(MF_KERNEL_AUTO);
    switch (g_kernel) {
    case MF_KERNEL_AVX512: return "avx512";
    case MF_KERNEL_AVX2: return "avx2";
    case MF_KERNEL_PLAIN: return "plain";
    default: return "scalar";
    }
}

int mf_u64_kernel_parse(const char *name, mf_u64_kernel *k)
{
    static const struct { const char *name; mf_u64_kernel k; } names[] = {
        {"auto", MF_KERNEL_AUTO}, {"scalar", MF_KERNEL_SCALAR},
        {"avx512", MF_KERNEL_AVX512}, {"avx2", MF_KERNEL_AVX2}, {"plain", MF_KERNEL_PLAIN},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0) {
            *k = names[i].k;
            return 0;
        }
    return -1;
}

/* Builds the small-number tables; returns false when out of memory. */
static bool small_tables(void)
{
    if (g_small)
        return true;
    size_t bytes = 2 * (SMALL_COUNT + 8) * sizeof(uint32_t);
    uint32_t *t = mf_sim_shared_realloc(NULL, bytes, bytes); /* one copy for all simulated ranks */
    if (!t)
        return false;
    uint32_t *inv = t, *lim = t + SMALL_COUNT + 8; /* shared by simulated ranks: each fills it, as a real one */
    for (uint32_t i = 0; i < SMALL_COUNT + 8; i++) { /* 8 spare entries that never divide: vector tails */
        uint32_t p = 3 + 2 * i;
        inv[i] = i < SMALL_COUNT ? (uint32_t)mf_u64_inverse(p) : 0;
        lim[i] = i < SMALL_COUNT ? UINT32_MAX / p : 0;
    }
    g_small = t;
    return true;
}

/* Portable small-number scan over count candidates from table index i0. */
static uint64_t small_scalar(uint32_t n, const uint32_t *inv, const uint32_t *lim, uint32_t count)
{
    uint32_t i = 0;
    for (; i + 4 <= count; i += 4) {
        unsigned hit = (n * inv[i] <= lim[i]) | (n * inv[i + 1] <= lim[i + 1]) << 1 |
                       (n * inv[i + 2] <= lim[i + 2]) << 2 | (n * inv[i + 3] <= lim[i + 3]) << 3;
        if (hit)
            return i + (uint32_t)__builtin_ctz(hit) + 1;
    }
    for (; i < count; i++)
        if (n * inv[i] <= lim[i])
            return i + 1;
    return 0;
}

#ifdef MF_HAVE_AVX512_BUILD
/* AVX2 small-number scan: 8 candidates per multiply; returns index + 1 of the first divisor, or 0. */
__attribute__((target("avx2"))) static uint64_t small_avx2(uint32_t n, const uint32_t *inv, const uint32_t *lim,
                                                            uint32_t count)
{
    __m256i vn = _mm256_set1_epi32((int)n);
    for (uint32_t i = 0; i < count; i += 8) {
        __m256i q = _mm256_mullo_epi32(vn, _mm256_loadu_si256((const __m256i *)(inv + i)));
        __m256i l = _mm256_loadu_si256((const __m256i *)(lim + i));
        unsigned hit = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_min_epu32(q, l), q)));
        if (hit) {
            uint32_t j = i + (uint32_t)__builtin_ctz(hit);
            return j < count ? j + 1 : 0; /* a hit past the range (table tail or beyond hi) is no answer */
        }
    }
    return 0;
}
#endif

uint64_t mf_u32_find_divisor(uint32_t n, uint64_t lo, uint64_t hi)
{
    /* p | n exactly when n * inv(p) mod 2^32 <= floor((2^32 - 1) / p): the quotients n / p of the
       divisors are exactly the values up to that bound */
    if (hi < lo)
        return 0;
    if (g_kernel == MF_KERNEL_AUTO)
        mf_u64_kernel_select(MF_KERNEL_AUTO);
    if (g_kernel == MF_KERNEL_PLAIN || hi > SMALL_P_MAX || !small_tables())
        return mf_u64_find_divisor(n, lo, hi);
    size_t i0 = (size_t)(lo - 3) / 2;
    const uint32_t *inv = g_small + i0, *lim = g_small + SMALL_COUNT + 8 + i0;
    uint32_t count = (uint32_t)((hi - lo) / 2 + 1);
    uint64_t k;
#ifdef MF_HAVE_AVX512_BUILD
    if (g_small_vector && __builtin_cpu_supports("avx2"))
        k = small_avx2(n, inv, lim, count);
    else
#endif
        k = small_scalar(n, inv, lim, count);
    return k ? lo + 2 * (k - 1) : 0;
}

uint64_t mf_u64_table_end(uint64_t n)
{
    if (g_kernel == MF_KERNEL_AUTO)
        mf_u64_kernel_select(MF_KERNEL_AUTO);
    bool scalar = g_kernel == MF_KERNEL_SCALAR || (g_kernel == MF_KERNEL_AVX2 && n >= RECIP_N_END);
    return scalar ? TABLE_CAP_P + 1 : UINT64_MAX;
}

uint64_t mf_u64_find_divisor(uint64_t n, uint64_t lo, uint64_t hi)
{
    if (hi < lo)
        return 0;
    if (g_kernel == MF_KERNEL_AUTO)
        mf_u64_kernel_select(MF_KERNEL_AUTO);
    switch (g_kernel) {
#ifdef MF_HAVE_AVX512_BUILD
    case MF_KERNEL_AVX512: return find_avx512(n, lo, hi);
#endif
    case MF_KERNEL_PLAIN: return mf_u64_find_divisor_plain(n, lo, hi);
#ifdef MF_HAVE_AVX512_BUILD
    case MF_KERNEL_AVX2: return n < RECIP_N_END ? find_avx2_reciprocal(n, lo, hi) : find_scalar(n, lo, hi);
#endif
    default: return find_scalar(n, lo, hi);
    }
}
