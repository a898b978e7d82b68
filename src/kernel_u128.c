/* 128-bit trial-division kernel: n mod p for n < 2^128 and p < 2^46 in three exact double-precision steps.

   With r ~ 1/p in double precision (relative error below 2^-50) and n = nh 2^64 + nl:
   1. q1 = round(nh r), h = nh - q1 p (exact in 64-bit arithmetic: |h| < 2^13 p);
   2. t = (h 2^64 + nl) / p approximated as h (r 2^64) + nl r (absolute error < 2^27, < 2^14 once
      p >= 2^21); q = round(t / 2^16) 2^16, and r2 = nl - q p modulo 2^64 is the exact value
      h 2^64 + nl - q p, because |r2| < (2^27 + 2^15) p < 2^63 for every p < 2^46;
   3. r2 == n modulo p, and q3 = round(r2 r) equals r2 / p exactly whenever p | r2 (|r2 / p| < 2^28,
      so the rounding error stays far below 1/2); p | n exactly when q3 p == r2 modulo 2^64
      (|r2 - q3 p| < 2^64, so equality modulo 2^64 is equality).
   No false hits, no per-candidate tables. The AVX-512 path does the same on 8 candidates per vector
   (reciprocal by rcp14 and two Newton steps). Candidates of 2^46 and more (2^45 steps of trial division
   away from any cofactor's start) use one 128-bit % each. */
#include "mf_kernel_u128.h"

#include <math.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MF_HAVE_AVX512_BUILD 1
#include <immintrin.h>
#endif

__extension__ typedef unsigned __int128 u128;

#define DBL_PATH_END (UINT64_C(1) << 46) /* first candidate the double-precision paths do not cover */

static mf_u64_kernel g_kernel = MF_KERNEL_AUTO;

static u128 join(uint64_t nh, uint64_t nl)
{
    return (u128)nh << 64 | nl;
}

uint64_t mf_u128_find_divisor_plain(uint64_t nh, uint64_t nl, uint64_t lo, uint64_t hi)
{
    u128 n = join(nh, nl);
    for (uint64_t p = lo; p <= hi; p += 2) {
        if (n % p == 0)
            return p;
        if (hi - p < 2)
            break;
    }
    return 0;
}

uint64_t mf_u128_isqrt(uint64_t nh, uint64_t nl)
{
    u128 n = join(nh, nl);
    if (nh == 0)
        return mf_u64_isqrt(nl);
    double est = sqrt((double)nh * 0x1p64 + (double)nl);
    uint64_t r = est >= 0x1p64 ? UINT64_MAX : (uint64_t)est;
    if (r == 0)
        r = 1;
    u128 next = ((u128)r + n / r) / 2; /* one Newton step from within 2^12 lands within 1 */
    r = next > UINT64_MAX ? UINT64_MAX : (uint64_t)next;
    while ((u128)r * r > n)
        r--;
    while (r < UINT64_MAX && (u128)(r + 1) * (r + 1) <= n)
        r++;
    return r;
}

/* One candidate p with r ~ 1/p (see the top of the file): true when p | nh 2^64 + nl. nld = nl / 2^16. */
static inline int test1(uint64_t nh, uint64_t nl, double nhd, double nld, uint64_t p, double r)
{
    int64_t q1 = llrint(nhd * r);
    int64_t h = (int64_t)(nh - (uint64_t)q1 * p);
    int64_t qs = llrint(((double)h * 0x1p48 + nld) * r);
    int64_t r2 = (int64_t)(nl - ((uint64_t)qs << 16) * p);
    int64_t q3 = llrint((double)r2 * r);
    return (uint64_t)q3 * p == (uint64_t)r2;
}

/* Portable path over lo..hi with hi < DBL_PATH_END, 8 interleaved candidates per step. Each one's
   reciprocal comes from its predecessor 16 further down by two Newton steps (relative error
   (16/p)^4 + rounding < 2^-50 once p >= 2^16); below that, or for the last few, by a division. */
static uint64_t find_scalar(uint64_t nh, uint64_t nl, uint64_t lo, uint64_t hi)
{
    const double nhd = (double)nh, nld = (double)nl * 0x1p-16;
    uint64_t p = lo;
    for (; p <= hi && p < (UINT64_C(1) << 16); p += 2)
        if (test1(nh, nl, nhd, nld, p, 1.0 / (double)p))
            return p;
    if (p <= hi && hi - p >= 16) {
        double r[8];
        for (int j = 0; j < 8; j++)
            r[j] = 1.0 / (double)(p + 2 * (uint64_t)j);
        for (;;) {
            unsigned hit = 0;
            for (int j = 0; j < 8; j++)
                hit |= (unsigned)test1(nh, nl, nhd, nld, p + 2 * (uint64_t)j, r[j]) << j;
            if (hit)
                return p + 2 * (uint64_t)__builtin_ctz(hit);
            p += 16;
            if (p > hi || hi - p < 16)
                break;
            for (int j = 0; j < 8; j++) {
                double pd = (double)(p + 2 * (uint64_t)j);
                r[j] = r[j] * (2.0 - pd * r[j]);
                r[j] = r[j] * (2.0 - pd * r[j]);
            }
        }
    }
    for (; p <= hi; p += 2)
        if (test1(nh, nl, nhd, nld, p, 1.0 / (double)p))
            return p;
    return 0;
}

#ifdef MF_HAVE_AVX512_BUILD
#define AVX512_TARGET __attribute__((target("avx512f,avx512dq,fma")))
#define ROUND_NEAR (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

/* Bit j set where candidate p_j of the vector pv (pd: the same as doubles) divides n (see the top). */
AVX512_TARGET
static inline __mmask8 test8(__m512i pv, __m512d pd, __m512i nhv, __m512i nlv, __m512d nhd, __m512d nld)
{
    const __m512d one = _mm512_set1_pd(1.0);
    __m512d r = _mm512_rcp14_pd(pd);
    r = _mm512_fmadd_pd(r, _mm512_fnmadd_pd(pd, r, one), r);
    r = _mm512_fmadd_pd(r, _mm512_fnmadd_pd(pd, r, one), r);
    __m512i q1 = _mm512_cvt_roundpd_epi64(_mm512_mul_pd(nhd, r), ROUND_NEAR);
    __m512i h = _mm512_sub_epi64(nhv, _mm512_mullo_epi64(q1, pv));
    __m512d t = _mm512_fmadd_pd(_mm512_cvtepi64_pd(h), _mm512_mul_pd(r, _mm512_set1_pd(0x1p48)),
                                _mm512_mul_pd(nld, r));
    __m512i q = _mm512_slli_epi64(_mm512_cvt_roundpd_epi64(t, ROUND_NEAR), 16);
    __m512i r2 = _mm512_sub_epi64(nlv, _mm512_mullo_epi64(q, pv));
    __m512i q3 = _mm512_cvt_roundpd_epi64(_mm512_mul_pd(_mm512_cvtepi64_pd(r2), r), ROUND_NEAR);
    return _mm512_cmpeq_epi64_mask(_mm512_mullo_epi64(q3, pv), r2);
}

/* The smallest candidate with its bit set in mask (bit j = p0 + 2 j). */
static uint64_t first_hit(uint64_t p0, unsigned mask)
{
    return p0 + 2 * (uint64_t)__builtin_ctz(mask);
}

/* AVX-512 path over lo..hi with hi < DBL_PATH_END: 16 candidates per step in two vectors. */
AVX512_TARGET
static uint64_t find_avx512(uint64_t nh, uint64_t nl, uint64_t lo, uint64_t hi)
{
    const __m512i nhv = _mm512_set1_epi64((long long)nh), nlv = _mm512_set1_epi64((long long)nl);
    const __m512d nhd = _mm512_set1_pd((double)nh), nld = _mm512_set1_pd((double)nl * 0x1p-16);
    const __m512i step_i = _mm512_set1_epi64(16);
    const __m512d step_d = _mm512_set1_pd(16.0);
    __m512i pa = _mm512_add_epi64(_mm512_set1_epi64((long long)lo), _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14));
    __m512d pad = _mm512_cvtepu64_pd(pa);
    uint64_t p0 = lo;
    for (; hi - p0 >= 30 && p0 <= hi; p0 += 32) {
        __m512i pb = _mm512_add_epi64(pa, step_i);
        __m512d pbd = _mm512_add_pd(pad, step_d);
        unsigned m = (unsigned)test8(pa, pad, nhv, nlv, nhd, nld) | (unsigned)test8(pb, pbd, nhv, nlv, nhd, nld) << 8;
        if (m)
            return first_hit(p0, m);
        pa = _mm512_add_epi64(pb, step_i);
        pad = _mm512_add_pd(pbd, step_d);
    }
    for (; p0 <= hi; p0 += 16) {
        __mmask8 live = hi - p0 >= 14 ? 0xFF : (__mmask8)((1u << ((hi - p0) / 2 + 1)) - 1);
        unsigned m = live & test8(pa, pad, nhv, nlv, nhd, nld);
        if (m)
            return first_hit(p0, m);
        if (hi - p0 < 16)
            break;
        pa = _mm512_add_epi64(pa, step_i);
        pad = _mm512_add_pd(pad, step_d);
    }
    return 0;
}

static int cpu_has_avx512(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}
#else
static int cpu_has_avx512(void)
{
    return 0;
}
#endif

int mf_u128_kernel_select(mf_u64_kernel k)
{
    if (k == MF_KERNEL_AUTO)
        k = cpu_has_avx512() ? MF_KERNEL_AVX512 : MF_KERNEL_SCALAR;
    if (k == MF_KERNEL_AVX512 && !cpu_has_avx512())
        return -1;
    g_kernel = k;
    return 0;
}

const char *mf_u128_kernel_name(void)
{
    if (g_kernel == MF_KERNEL_AUTO)
        mf_u128_kernel_select(MF_KERNEL_AUTO);
    switch (g_kernel) {
    case MF_KERNEL_AVX512: return "avx512";
    case MF_KERNEL_PLAIN: return "plain";
    default: return "scalar";
    }
}

uint64_t mf_u128_find_divisor(uint64_t nh, uint64_t nl, uint64_t lo, uint64_t hi)
{
    if (hi < lo)
        return 0;
    if (g_kernel == MF_KERNEL_AUTO)
        mf_u128_kernel_select(MF_KERNEL_AUTO);
    if (g_kernel == MF_KERNEL_PLAIN || lo >= DBL_PATH_END)
        return mf_u128_find_divisor_plain(nh, nl, lo, hi);
    uint64_t fast_hi = hi < DBL_PATH_END ? hi : DBL_PATH_END - 1;
    uint64_t d;
#ifdef MF_HAVE_AVX512_BUILD
    if (g_kernel == MF_KERNEL_AVX512)
        d = find_avx512(nh, nl, lo, fast_hi);
    else
#endif
        d = find_scalar(nh, nl, lo, fast_hi);
    if (d || hi == fast_hi)
        return d;
    return mf_u128_find_divisor_plain(nh, nl, DBL_PATH_END + 1, hi);
}
