/* 128-bit trial-division kernel: n mod p for n < 2^128 and p < 2^46 in three exact double-precision steps.

   With r ~ 1/p in double precision (relative error below 2^-50) and n = nh 2^64 + nl:
   1. q1 = round(nh r), h = nh - q1 p (exact in 64-bit arithmetic: |h| < 2^13 p);
   2. t = (h 2^64 + nl) / p approximated as h (r 2^64) + nl r (absolute error < 2^27, < 2^14 once
      p >= 2^21); q = round(t / 2^16) 2^16, and r2 = nl - q p modulo 2^64 is the exact value
      h 2^64 + nl - q p, because |r2| < (2^27 + 2^15) p < 2^63 for every p < 2^46;
   3. r2 == n modulo p, and q3 = round(r2 r) equals r2 / p exactly whenever p | r2 (|r2 / p| < 2^28,
      so the rounding error stays far below 1/2); p | n exactly when q3 p == r2 modulo 2^64
      (|r2 - q3 p| < 2^64, so equality modulo 2^64 is equality).
   No false hits, no per-candidate tables; no FMA needed. The portable path uses this for the first
   candidates below 2^16 and the last few of a range only. In between, in GNU C vectors: where n / p
   >= 2^47, Horner's rule on chunks narrow enough for exact products without FMA (see horner_hits, 24
   lanes); once n / p < 2^47, one rounded quotient and one integer multiply per candidate (see
   near_start, 8 lanes). The AVX2 and AVX-512
   paths use a Horner scheme on 38-bit chunks with exact FMA remainders instead (see below), 4 or 8
   candidates per instruction. Candidates of 2^46 and more (2^45 steps of trial division away from any
   cofactor's start) use one 128-bit % each. */
#include "mf_kernel_u128.h"
#include "mf_cpu.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MF_HAVE_AVX512_BUILD 1
#include <immintrin.h>
#endif

__extension__ typedef unsigned __int128 u128;

#define DBL_PATH_END (UINT64_C(1) << 46) /* first candidate the double-precision paths do not cover */

static mf_u128_kernel g_kernel = MF_U128_AUTO;

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

/* Past the first few candidates the remainder needs one step. Where n / p < 2^47 and p >= 2^20, the
   quotient estimate nd r (nd = (double)n, r ~ 1/p from two Newton steps) has relative error below
   2^-52 (nd) + 2^-53 (product) + 2^-51 (r) < 2^-50.4, so q = round(nd r) is within 1/2 + n / p 2^-50.4
   < 1/2 + 2^-3.4 of n / p and the remainder n - q p lies strictly between -p and p: it is zero exactly
   when p | n, and it is computed exactly modulo 2^64 as nl - q p (|n - q p| < p < 2^46). Once also
   p^3 > 2^12 n, one Newton step suffices: r then has relative error below 2^8.02 / p^2 + 2^-51.9, and
   n 2^8.02 / p^2 < 2^-3.98 p keeps the remainder within (-p, p) all the same. Rounding adds 1.5 2^52
   and reads the integer from the low bits (exact for 0 <= x < 2^51), and the remainder is first compared
   modulo 2^32: plain operations on 8 lanes that compilers vectorize with any SIMD unit. */
#define NEAR_MIN_P (UINT64_C(1) << 20)
#define NEAR_QUOTIENT_BITS 47
#define ROUND_MAGIC 0x1.8p52
#define ROUND_MAGIC_BITS UINT64_C(0x4338000000000000)

/* round(x) for 0 <= x < 2^51 (round half to even). */
static inline uint64_t round_small(double x)
{
    double t = x + ROUND_MAGIC;
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    return bits - ROUND_MAGIC_BITS;
}

/* The first odd candidate >= lo from which the one-step remainder holds with two Newton steps
   (two_steps) or with one: DBL_PATH_END when none below it. */
static uint64_t near_start(uint64_t nh, uint64_t nl, uint64_t lo, bool two_steps)
{
    u128 bound = (join(nh, nl) >> NEAR_QUOTIENT_BITS) + 1;
    if (bound < NEAR_MIN_P)
        bound = NEAR_MIN_P;
    if (!two_steps) {
        double cube = cbrt(((double)nh * 0x1p64 + (double)nl) * 0x1p12) * (1 + 0x1p-30) + 2;
        if (cube >= (double)DBL_PATH_END)
            return DBL_PATH_END;
        if ((u128)cube > bound)
            bound = (u128)cube;
    }
    if (bound >= DBL_PATH_END)
        return DBL_PATH_END;
    uint64_t p = (uint64_t)bound | 1;
    return p > lo ? p : lo;
}

/* Eight lanes in GNU C vector types: compilers map them on whatever SIMD unit the target has (two SSE2
   registers per vector on baseline x86-64, NEON on Arm), or on scalar code. */
typedef double f64x8 __attribute__((vector_size(64)));
typedef uint64_t u64x8 __attribute__((vector_size(64)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));
typedef uint32_t u32x8 __attribute__((vector_size(32)));
typedef double f64x2 __attribute__((vector_size(16)));

#define LOW32 UINT64_C(0xffffffff)

/* Nonzero when some lane's candidate may divide n: with r ~ 1 / p per lane and pl holding the low 32 bits
   of each p, its one-step remainder nl - q p is zero modulo 2^32 (a lane x is zero exactly when
   (x - 1) & ~x has its top bit set; the lanes are then ORed together). */
static inline __attribute__((always_inline)) uint64_t near_any(const f64x8 *r, const u64x8 *pl, const f64x8 *nd,
                                                              uint64_t nl)
{
    u64x8 q = (u64x8)(*nd * *r + ROUND_MAGIC) - ROUND_MAGIC_BITS;
    u32x8 x = __builtin_convertvector(q, u32x8) * __builtin_convertvector(*pl, u32x8) - (uint32_t)nl;
    u32x8 z = (x - 1) & ~x;
    u64x2 part[2];
    memcpy(part, &z, sizeof part);
    u64x2 any = part[0] | part[1];
    return ((any[0] | any[1]) >> 31 | (any[0] | any[1]) >> 63) & 1;
}

/* The divisor among candidates p + 2j (reciprocals r) when near_any found one: each checked modulo 2^64
   (0: none). */
static uint64_t near_check(uint64_t p, const f64x8 *r, double nd, uint64_t nl)
{
    for (int j = 0; j < 8; j++) {
        uint64_t pj = p + 2 * (uint64_t)j;
        if (round_small(nd * (*r)[j]) * pj == nl)
            return pj;
    }
    return 0;
}

/* Where n / p >= 2^47 the portable path takes n mod p by Horner's rule in double precision with plain
   operations (no FMA), on chunks narrow enough that every product is exact. For candidates below 2^b
   (2^16 < 2^b <= 2^46, every lane p >= 2^(b-2)) and k = min(53 - b, 32): n = top 2^(m k) + chunks of k
   bits, the top below 2^(k + b - 1) <= 2^52. Each step takes x (first the top, then rem 2^k + chunk),
   q = round(x r) and rem = x - q p. With r ~ 1/p to a relative error e <= 2^-(k + 8) and |x / p| <
   2^(k + 1), x r is within 2^(k + 1) (e + 2^-53 + 2^-93) < 2^-6.99 of x / p, so |rem| <= (1/2 + 2^-6.99)
   p < 0.51 p; then |x| < 0.51 p 2^k + 2^k < 2^(b + k) <= 2^53 and |x / p| < 0.51 2^k + 2^k / p < 2^k
   (first step: below 2^(k + 1)): x, q p (within p/2 of x) and their difference are integers below 2^53,
   all exact, and rounding (adding and removing 1.5 2^52, |x r| < 2^51) is exact too. At the end rem is
   n mod p up to a multiple of p and |rem| < p: p | n exactly when rem == 0.
   Reciprocals: each lane's r comes from its own r for the candidate 48 below by Newton steps. A step
   squares the relative error it starts from, below 48 / (p - 48) + e_before, and adds at most 2^-51 of
   rounding. With b >= 25 (every lane p >= 2^(b - 1) - 46, as b is taken from the group's last lane) one
   step leaves e < (2^(6.59 - b) + 2^-36)^2 + 2^-51 <= 2^-(61 - b) = 2^-(k + 8) (at b = 25: 2^-36.82 +
   2^-51 against 2^-36; the left side falls and the right side grows with b); below that, two steps from
   p >= 2^16 leave e < 2^-41.6 + 2^-51 < 2^-40 <= 2^-(k + 8). The first group's lanes past the first 8
   take two steps from 16 below. */
#define HORNER_MAX_CHUNKS 12 /* 128 bits: a 52-bit top and 11 chunks of 7 bits (b = 46) */
#define HORNER_ONE_NEWTON (UINT64_C(1) << 24) /* a group whose last lane reaches this has b >= 25 */
/* Every value is held in both lanes of a register, ready to use: compilers broadcast a scalar into a
   wide vector through memory, and a store of two halves read back whole stalls store forwarding. */
typedef struct horner_chunks {
    f64x2 top;
    f64x2 rest[HORNER_MAX_CHUNKS];
    f64x2 scale; /* 2^k */
    int nrest;
} horner_chunks;

/* n's chunks for candidates below 2^b (17 <= b <= 46). */
static horner_chunks horner_split(uint64_t nh, uint64_t nl, int b)
{
    const int k = 53 - b < 32 ? 53 - b : 32, top_bits = k + b - 1;
    const u128 n = join(nh, nl);
    const int bits = nh ? 128 - __builtin_clzll(nh) : nl ? 64 - __builtin_clzll(nl) : 0;
    horner_chunks c = {.scale = ldexp(1.0, k) + (f64x2){0},
                       .nrest = bits <= top_bits ? 0 : (bits - top_bits + k - 1) / k};
    c.top = (double)(uint64_t)(n >> (c.nrest * k)) + (f64x2){0};
    for (int j = 0; j < c.nrest; j++)
        c.rest[j] = (double)(uint64_t)((n >> ((c.nrest - 1 - j) * k)) & ((UINT64_C(1) << k) - 1)) + (f64x2){0};
    return c;
}

/* A group of 24 candidates p + 4 i + {0, 2} runs as 12 chains i of 2 lanes (a SIMD register on SSE2 and
   NEON). The chains advance one operation at a time, all 12 together: a step is 7 dependent operations
   (about 21 cycles), and 12 independent ones keep two multipliers and two adders busy. */
#define HORNER_CHAINS 12
#define EACH_CHAIN _Pragma("GCC unroll 12") for (int i = 0; i < HORNER_CHAINS; i++)

/* Bit 2 i + l set where lane l of chain i (candidates p[i], reciprocals r[i]) divides n; chunks for the
   lanes' binade. */
static inline __attribute__((always_inline)) unsigned horner_hits(const horner_chunks *c, const f64x2 *p,
                                                                  const f64x2 *r)
{
    f64x2 m[HORNER_CHAINS], q[HORNER_CHAINS], x[HORNER_CHAINS];
    EACH_CHAIN q[i] = c->top * r[i];
    EACH_CHAIN q[i] += ROUND_MAGIC;
    EACH_CHAIN q[i] -= ROUND_MAGIC;
    EACH_CHAIN m[i] = c->top - q[i] * p[i];
    for (int j = 0; j < c->nrest; j++) {
        EACH_CHAIN x[i] = m[i] * c->scale;
        EACH_CHAIN x[i] += c->rest[j];
        EACH_CHAIN q[i] = x[i] * r[i];
        EACH_CHAIN q[i] += ROUND_MAGIC;
        EACH_CHAIN q[i] -= ROUND_MAGIC;
        EACH_CHAIN q[i] *= p[i];
        EACH_CHAIN m[i] = x[i] - q[i];
    }
    /* Some m is 0 exactly when their product is: each is an integer, 0 or of magnitude 1 to 2^45, so the
       product of 12 neither overflows (2^540) nor underflows. Multiplies, which the steps use less than
       additions. */
    _Static_assert(HORNER_CHAINS == 12, "the product below multiplies 12 chains");
    EACH_CHAIN if (i < 6) x[i] = m[2 * i] * m[2 * i + 1];
    EACH_CHAIN if (i < 3) x[i] = x[2 * i] * x[2 * i + 1];
    const f64x2 all = x[0] * x[1] * x[2];
    const u64x2 zero = (u64x2)(all == 0.0);
    if (!(zero[0] | zero[1]))
        return 0;
    unsigned hits = 0;
    for (int i = 0; i < HORNER_CHAINS; i++)
        hits |= (unsigned)(m[i][0] == 0.0) << 2 * i | (unsigned)(m[i][1] == 0.0) << (2 * i + 1);
    return hits;
}

/* Portable path over lo..hi with hi < DBL_PATH_END, 8 interleaved candidates p + 2j per step (pd: as
   doubles, pl: their low 32 bits). Each one's reciprocal r comes from its predecessor 16 further down by
   Newton steps (two where the remainder's proof needs them, else one); below 2^16, and for the last few,
   by a division, with test1. Candidates before the one-step remainder applies take Horner's rule
   (horner_hits, 24 candidates per group, each lane's reciprocal from its own 48 below), the rest the
   one-step remainder (near_any). */
static uint64_t find_scalar(uint64_t nh, uint64_t nl, uint64_t lo, uint64_t hi)
{
    const double nhd = (double)nh, nld = (double)nl * 0x1p-16, nd = nhd * 0x1p64 + (double)nl;
    const uint64_t near2 = near_start(nh, nl, lo, true), near1 = near_start(nh, nl, lo, false);
    uint64_t p = lo;
    for (; p <= hi && p < (UINT64_C(1) << 16); p += 2)
        if (test1(nh, nl, nhd, nld, p, 1.0 / (double)p))
            return p;
    if (p > hi || hi - p < 16)
        goto tail;
    const f64x8 ndv = nd + (f64x8){0};
    f64x8 r, pd;
    u64x8 pl;
    for (int j = 0; j < 8; j++) {
        pd[j] = (double)(p + 2 * (uint64_t)j);
        pl[j] = (p + 2 * (uint64_t)j) & LOW32;
        r[j] = 1.0 / pd[j];
    }
/* Moves the lanes 16 on (leaving for the tail when fewer than 8 candidates remain) with one Newton step. */
#define LANES_NEXT()                          \
    do {                                      \
        p += 16;                              \
        if (p > hi || hi - p < 16)            \
            goto tail;                        \
        pd += 16.0;                           \
        pl = (pl + 16) & LOW32;               \
        r = r * (2.0 - pd * r);               \
    } while (0)
    if (p < near2) { /* Horner's rule, 2 HORNER_CHAINS candidates per group */
        const uint64_t span = 4 * HORNER_CHAINS - 2; /* the last lane's offset from p */
        if (hi - p < span)
            goto tail;
        horner_chunks chunks = {0};
        const f64x2 two = {2.0, 2.0}, step = {span + 2, span + 2};
        f64x2 cp[HORNER_CHAINS], cr[HORNER_CHAINS]; /* chain i: candidates p + 4 i and p + 4 i + 2 */
        memcpy(cp, &pd, sizeof pd), memcpy(cr, &r, sizeof r);
        for (int i = 4; i < HORNER_CHAINS; i++) { /* the first group: two steps from 16 below */
            cp[i] = cp[i - 4] + 16.0;
            cr[i] = cr[i - 4] * (two - cp[i] * cr[i - 4]);
            cr[i] = cr[i] * (two - cp[i] * cr[i]);
        }
        for (uint64_t binade_end = 0;;) {
            if (p + span >= binade_end) {
                int b = 64 - __builtin_clzll(p + span);
                chunks = horner_split(nh, nl, b);
                binade_end = UINT64_C(1) << b;
            }
            unsigned hit = horner_hits(&chunks, cp, cr);
            if (hit)
                return p + 2 * (uint64_t)__builtin_ctz(hit);
            p += span + 2;
            bool leaving = p >= near2 || p > hi || hi - p < span; /* no room for a group below near2 */
            EACH_CHAIN { /* each lane's reciprocal from its own, 48 below: independent chains of steps */
                cp[i] += step;
                cr[i] = cr[i] * (two - cp[i] * cr[i]);
            }
            if (p + span < HORNER_ONE_NEWTON || leaving) /* the near path's proof, too, wants two */
                EACH_CHAIN cr[i] = cr[i] * (two - cp[i] * cr[i]);
            if (leaving)
                break;
        }
        memcpy(&pd, cp, sizeof pd), memcpy(&r, cr, sizeof r);
        if (p < near2 || p > hi || hi - p < 16)
            goto tail;
        for (int j = 0; j < 8; j++)
            pl[j] = (p + 2 * (uint64_t)j) & LOW32;
    }
    for (; p < near1; r = r * (2.0 - pd * r)) {
        uint64_t d;
        if (near_any(&r, &pl, &ndv, nl) && (d = near_check(p, &r, nd, nl)) != 0)
            return d;
        LANES_NEXT();
    }
    for (;;) {
        uint64_t d;
        if (near_any(&r, &pl, &ndv, nl) && (d = near_check(p, &r, nd, nl)) != 0)
            return d;
        LANES_NEXT();
    }
#undef LANES_NEXT
tail:
    for (; p <= hi; p += 2)
        if (test1(nh, nl, nhd, nld, p, 1.0 / (double)p))
            return p;
    return 0;
}

#ifdef MF_HAVE_AVX512_BUILD
#define AVX2_TARGET __attribute__((target("avx2,fma")))
#ifdef MF_EMULATE_AVX512
#include "avx512_emulation.h" /* tests: the AVX-512 path on plain C lanes, on any CPU */
#define AVX512_TARGET
#else
#define AVX512_TARGET __attribute__((target("avx512f,avx512dq,fma")))
#endif
#define ROUND_NEAR (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

/* n in chunks of CHUNK_BITS bits as doubles, most significant first: the vector paths' input. Chunks wider
   than 32 bits take fewer Horner steps: a 72-bit n is 2 chunks (3 limbs of 32 bits), a 113-bit one 3. */
#define CHUNK_BITS 38
#define MAX_CHUNKS ((32 * MF_U128_MAX_LIMBS + CHUNK_BITS - 1) / CHUNK_BITS)
typedef struct chunks {
    double top;                    /* the most significant chunk (nonzero unless n == 0) */
    double rest[MAX_CHUNKS - 1];   /* the following chunks */
    int nrest;
} chunks;

/* Bits lowbit .. lowbit + width - 1 (width <= 64) of the number in 32-bit limbs l[0..count), most
   significant first. */
static uint64_t bit_field(const uint32_t *l, int count, int lowbit, int width)
{
    uint64_t v = 0;
    for (int b = 0; b < width;) {
        int bit = lowbit + b, li = count - 1 - bit / 32, off = bit % 32;
        if (li < 0)
            break;
        int take = 32 - off < width - b ? 32 - off : width - b;
        v |= ((uint64_t)(l[li] >> off) & ((UINT64_C(1) << take) - 1)) << b;
        b += take;
    }
    return v;
}

/* The chunks of the number in count 32-bit limbs, most significant first (1 <= count <= MF_U128_MAX_LIMBS). */
static chunks split_chunks(const uint32_t *l, int count)
{
    while (count > 1 && l[0] == 0)
        l++, count--;
    int bits = 32 * (count - 1) + (l[0] ? 32 - __builtin_clz(l[0]) : 0);
    int n = bits <= CHUNK_BITS ? 1 : (bits + CHUNK_BITS - 1) / CHUNK_BITS;
    chunks s = {.top = (double)bit_field(l, count, (n - 1) * CHUNK_BITS, CHUNK_BITS), .nrest = n - 1};
    for (int j = 0; j < s.nrest; j++)
        s.rest[j] = (double)bit_field(l, count, (n - 2 - j) * CHUNK_BITS, CHUNK_BITS);
    return s;
}

static chunks split_wide(uint64_t nh, uint64_t nl)
{
    const uint32_t l[4] = {(uint32_t)(nh >> 32), (uint32_t)nh, (uint32_t)(nl >> 32), (uint32_t)nl};
    return split_chunks(l, 4);
}

/* Vector paths: n mod p by Horner's rule on chunks of k = CHUNK_BITS bits, all in double precision with FMA.
   With |r| <= p (an integer) and the next chunk c < 2^k: t = (r 2^k + c) / p is below 2^k + 1 in magnitude;
   the estimate fl(fl(r 2^k + c) r_p), with r_p ~ 1/p to a relative error below 2^-40, is within
   2^(k-40) (1 + 2^-10) < 0.26 of t for k = 38, so q = round(estimate) is within 0.76 of t and the new
   r = fma(-q, p, r 2^k) + c = p (t - q) is exact: r 2^k is exact (a power of two), fma rounds once and
   its true value, at most 0.76 p + 2^k < 2^53 in magnitude, is representable, and adding c < 2^53 to it
   gives a value below p in magnitude. Hence |r| < p throughout and, at the end, p | n exactly when
   r == 0. Valid for p < 2^52; used below DBL_PATH_END. */

/* Bit j set where candidate pd_j (4 lanes) divides n; r approximates 1/pd. */
AVX2_TARGET
static inline int test4(__m256d pd, __m256d r, const chunks *n)
{
    const __m256d scale = _mm256_set1_pd(0x1p38);
    __m256d x = _mm256_set1_pd(n->top);
    __m256d q = _mm256_round_pd(_mm256_mul_pd(x, r), ROUND_NEAR);
    __m256d rem = _mm256_fnmadd_pd(q, pd, x);
    for (int j = 0; j < n->nrest; j++) {
        __m256d l = _mm256_set1_pd(n->rest[j]);
        __m256d hi = _mm256_mul_pd(rem, scale);
        q = _mm256_round_pd(_mm256_mul_pd(_mm256_add_pd(hi, l), r), ROUND_NEAR);
        rem = _mm256_add_pd(_mm256_fnmadd_pd(q, pd, hi), l);
    }
    return _mm256_movemask_pd(_mm256_cmp_pd(rem, _mm256_setzero_pd(), _CMP_EQ_OQ));
}

/* 1/pd to a relative error below 2^-40: single-precision estimate (2^-11) and two Newton steps. */
AVX2_TARGET
static inline __m256d recip4(__m256d pd)
{
    const __m256d one = _mm256_set1_pd(1.0);
    __m256d r = _mm256_cvtps_pd(_mm_rcp_ps(_mm256_cvtpd_ps(pd)));
    r = _mm256_fmadd_pd(r, _mm256_fnmadd_pd(pd, r, one), r);
    return _mm256_fmadd_pd(r, _mm256_fnmadd_pd(pd, r, one), r);
}

/* 1/pd from r ~ 1/(pd - 16) by one Newton step: r's relative error as an estimate of 1/pd is below
   16/pd + 2^-40 <= 2^-21 + 2^-40 once pd >= NEWTON_FROM, so the result's is below 2^-42 + 2^-52 < 2^-40. */
#define NEWTON_FROM (UINT64_C(1) << 25)
AVX2_TARGET
static inline __m256d recip4_next(__m256d pd, __m256d r)
{
    return _mm256_fmadd_pd(r, _mm256_fnmadd_pd(pd, r, _mm256_set1_pd(1.0)), r);
}

/* AVX2 path over lo..hi with hi < DBL_PATH_END: 8 candidates per step in two vectors. */
AVX2_TARGET
static uint64_t find_avx2(const chunks *n, uint64_t lo, uint64_t hi)
{
    const __m256d step = _mm256_set1_pd(8.0);
    __m256d pa = _mm256_add_pd(_mm256_set1_pd((double)lo), _mm256_setr_pd(0, 2, 4, 6));
    __m256d pb = _mm256_add_pd(pa, step);
    __m256d ra = recip4(pa), rb = recip4(pb);
    uint64_t p0 = lo;
    for (; p0 <= hi && hi - p0 >= 14; p0 += 16) {
        int m = test4(pa, ra, n) | test4(pb, rb, n) << 4;
        if (m)
            return p0 + 2 * (uint64_t)__builtin_ctz((unsigned)m);
        pa = _mm256_add_pd(pb, step);
        pb = _mm256_add_pd(pa, step);
        if (p0 + 16 >= NEWTON_FROM) {
            ra = recip4_next(pa, ra);
            rb = recip4_next(pb, rb);
        } else {
            ra = recip4(pa);
            rb = recip4(pb);
        }
    }
    for (; p0 <= hi; p0 += 8) { /* the last few: lanes past hi are masked off */
        unsigned live = hi - p0 >= 6 ? 0xFu : (1u << ((hi - p0) / 2 + 1)) - 1;
        unsigned m = (unsigned)test4(pa, recip4(pa), n) & live;
        if (m)
            return p0 + 2 * (uint64_t)__builtin_ctz(m);
        if (hi - p0 < 8)
            break;
        pa = _mm256_add_pd(pa, _mm256_set1_pd(8.0));
    }
    return 0;
}

/* Bit j set where candidate pd_j (8 lanes) divides n; r approximates 1/pd. */
AVX512_TARGET
static inline unsigned test8(__m512d pd, __m512d r, const chunks *n)
{
    const __m512d scale = _mm512_set1_pd(0x1p38);
    __m512d x = _mm512_set1_pd(n->top);
    __m512d q = _mm512_roundscale_pd(_mm512_mul_pd(x, r), ROUND_NEAR);
    __m512d rem = _mm512_fnmadd_pd(q, pd, x);
    for (int j = 0; j < n->nrest; j++) {
        __m512d l = _mm512_set1_pd(n->rest[j]);
        __m512d hi = _mm512_mul_pd(rem, scale);
        q = _mm512_roundscale_pd(_mm512_mul_pd(_mm512_add_pd(hi, l), r), ROUND_NEAR);
        rem = _mm512_add_pd(_mm512_fnmadd_pd(q, pd, hi), l);
    }
    return _mm512_cmp_pd_mask(rem, _mm512_setzero_pd(), _CMP_EQ_OQ);
}

/* 1/pd to a relative error below 2^-40: rcp14 and two Newton steps. */
AVX512_TARGET
static inline __m512d recip8(__m512d pd)
{
    const __m512d one = _mm512_set1_pd(1.0);
    __m512d r = _mm512_rcp14_pd(pd);
    r = _mm512_fmadd_pd(r, _mm512_fnmadd_pd(pd, r, one), r);
    return _mm512_fmadd_pd(r, _mm512_fnmadd_pd(pd, r, one), r);
}

/* 1/pd from r ~ 1/(pd - 32) by one Newton step (as recip4_next, with 32/pd <= 2^-20 once pd >= 2 NEWTON_FROM). */
AVX512_TARGET
static inline __m512d recip8_next(__m512d pd, __m512d r)
{
    return _mm512_fmadd_pd(r, _mm512_fnmadd_pd(pd, r, _mm512_set1_pd(1.0)), r);
}

/* AVX-512 path over lo..hi with hi < DBL_PATH_END: 16 candidates per step in two vectors. */
AVX512_TARGET
static uint64_t find_avx512(const chunks *n, uint64_t lo, uint64_t hi)
{
    const __m512d step = _mm512_set1_pd(16.0);
    __m512d pa = _mm512_add_pd(_mm512_set1_pd((double)lo), _mm512_setr_pd(0, 2, 4, 6, 8, 10, 12, 14));
    __m512d pb = _mm512_add_pd(pa, step);
    __m512d ra = recip8(pa), rb = recip8(pb);
    uint64_t p0 = lo;
    for (; p0 <= hi && hi - p0 >= 30; p0 += 32) {
        unsigned m = test8(pa, ra, n) | test8(pb, rb, n) << 8;
        if (m)
            return p0 + 2 * (uint64_t)__builtin_ctz(m);
        pa = _mm512_add_pd(pb, step);
        pb = _mm512_add_pd(pa, step);
        if (p0 + 32 >= 2 * NEWTON_FROM) {
            ra = recip8_next(pa, ra);
            rb = recip8_next(pb, rb);
        } else {
            ra = recip8(pa);
            rb = recip8(pb);
        }
    }
    for (; p0 <= hi; p0 += 16) { /* the last few: lanes past hi are masked off */
        unsigned live = hi - p0 >= 14 ? 0xFFu : (1u << ((hi - p0) / 2 + 1)) - 1;
        unsigned m = test8(pa, recip8(pa), n) & live;
        if (m)
            return p0 + 2 * (uint64_t)__builtin_ctz(m);
        if (hi - p0 < 16)
            break;
        pa = _mm512_add_pd(pa, step);
    }
    return 0;
}

#endif

/* The AVX-512 path runs where the CPU has it, and on any CPU in the emulated test build. */
static bool cpu_has_avx512(void)
{
#ifdef MF_EMULATE_AVX512
    return true;
#else
    return mf_cpu_has_avx512();
#endif
}

int mf_u128_kernel_select(mf_u128_kernel k)
{
    if (k == MF_U128_AUTO)
        k = cpu_has_avx512() ? MF_U128_AVX512 : mf_cpu_has_avx2_fma() ? MF_U128_AVX2 : MF_U128_SCALAR;
    if ((k == MF_U128_AVX512 && !cpu_has_avx512()) || (k == MF_U128_AVX2 && !mf_cpu_has_avx2_fma()))
        return -1;
    g_kernel = k;
    return 0;
}

int mf_u128_kernel_select_as(mf_u64_kernel k)
{
    switch (k) {
    case MF_KERNEL_AVX512: return mf_u128_kernel_select(MF_U128_AVX512);
    case MF_KERNEL_AVX2: return mf_u128_kernel_select(MF_U128_AVX2);
    case MF_KERNEL_SCALAR: return mf_u128_kernel_select(MF_U128_SCALAR);
    case MF_KERNEL_PLAIN: return mf_u128_kernel_select(MF_U128_PLAIN);
    default: return mf_u128_kernel_select(MF_U128_AUTO);
    }
}

bool mf_u128_kernel_beats_newton(void)
{
    if (g_kernel == MF_U128_AUTO)
        mf_u128_kernel_select(MF_U128_AUTO);
    return g_kernel != MF_U128_PLAIN;
}

const char *mf_u128_kernel_name(void)
{
    if (g_kernel == MF_U128_AUTO)
        mf_u128_kernel_select(MF_U128_AUTO);
    switch (g_kernel) {
    case MF_U128_AVX512: return "avx512";
    case MF_U128_AVX2: return "avx2";
    case MF_U128_PLAIN: return "plain";
    default: return "scalar";
    }
}

uint64_t mf_u128_find_divisor(uint64_t nh, uint64_t nl, uint64_t lo, uint64_t hi)
{
    if (hi < lo)
        return 0;
    if (g_kernel == MF_U128_AUTO)
        mf_u128_kernel_select(MF_U128_AUTO);
    if (g_kernel == MF_U128_PLAIN || lo >= DBL_PATH_END)
        return mf_u128_find_divisor_plain(nh, nl, lo, hi);
    uint64_t fast_hi = hi < DBL_PATH_END ? hi : DBL_PATH_END - 1;
    uint64_t d;
    switch (g_kernel) {
#ifdef MF_HAVE_AVX512_BUILD
    case MF_U128_AVX512: {
        const chunks n = split_wide(nh, nl);
        d = find_avx512(&n, lo, fast_hi);
        break;
    }
    case MF_U128_AVX2: {
        const chunks n = split_wide(nh, nl);
        d = find_avx2(&n, lo, fast_hi);
        break;
    }
#endif
    default: d = find_scalar(nh, nl, lo, fast_hi); break;
    }
    if (d || hi == fast_hi)
        return d;
    return mf_u128_find_divisor_plain(nh, nl, DBL_PATH_END + 1, hi);
}

int mf_u128_find_divisor_limbs(uint64_t *d, const uint32_t *limbs, int count, uint64_t lo, uint64_t hi)
{
    if (count < 1 || count > MF_U128_MAX_LIMBS || hi >= DBL_PATH_END)
        return -1;
    if (g_kernel == MF_U128_AUTO)
        mf_u128_kernel_select(MF_U128_AUTO);
#ifdef MF_HAVE_AVX512_BUILD
    if (g_kernel == MF_U128_AVX512 || g_kernel == MF_U128_AVX2) {
        const chunks n = split_chunks(limbs, count);
        if (hi < lo)
            *d = 0;
        else
            *d = g_kernel == MF_U128_AVX512 ? find_avx512(&n, lo, hi) : find_avx2(&n, lo, hi);
        return 0;
    }
#else
    (void)d, (void)limbs, (void)lo;
#endif
    return -1;
}
