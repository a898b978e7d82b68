/* The 128-bit kernel (and its limb path under the mpz kernel) against the plain references, and whole
   factorizations whose cofactor crosses 2^64. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <gmp.h>

#include "mf_factor.h"
#include "mf_kernel_mpz.h"
#include "mf_kernel_u128.h"
#include "test_util.h"

__extension__ typedef unsigned __int128 u128;

static const mf_u128_kernel kernels128[] = {MF_U128_SCALAR, MF_U128_AVX2, MF_U128_AVX512, MF_U128_PLAIN};
#define NKERNELS (sizeof kernels128 / sizeof kernels128[0])

/* Compares every implementation this CPU runs with the plain one on one query. */
static void check_query(u128 n, uint64_t lo, uint64_t hi)
{
    uint64_t nh = (uint64_t)(n >> 64), nl = (uint64_t)n;
    uint64_t want = mf_u128_find_divisor_plain(nh, nl, lo, hi);
    for (size_t k = 0; k < NKERNELS; k++) {
        if (mf_u128_kernel_select(kernels128[k]) != 0)
            continue;
        uint64_t got = mf_u128_find_divisor(nh, nl, lo, hi);
        ck_assert_msg(got == want, "kernel %s: n=%016llx%016llx [%llu,%llu]: got %llu want %llu",
                      mf_u128_kernel_name(), (unsigned long long)nh, (unsigned long long)nl,
                      (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)got,
                      (unsigned long long)want);
    }
    mf_u128_kernel_select(MF_U128_AUTO);
}

/* An odd candidate range of about span candidates around p (clamped to [3, 2^64 - 1]). */
static void check_around(u128 n, uint64_t p, uint64_t span)
{
    uint64_t lo = p > 2 * span + 3 ? p - 2 * span : 3;
    lo |= 1;
    uint64_t hi = p < UINT64_MAX - 2 * span ? p + 2 * span : UINT64_MAX;
    check_query(n, lo, hi);
}

static u128 pow2(int e)
{
    return (u128)1 << e;
}

START_TEST(u128_isqrt_exact)
{
    for (int i = 0; i < 20000; i++) {
        int bits = (int)mf_test_range(1, 128);
        u128 n = ((u128)mf_test_rand() << 64 | mf_test_rand()) >> (128 - bits);
        if (i % 3 == 0) { /* squares and their neighbours */
            u128 r = (u128)(mf_test_rand() >> (64 - (bits + 1) / 2));
            n = r * r + (u128)mf_test_range(0, 2) - 1;
        }
        uint64_t r = mf_u128_isqrt((uint64_t)(n >> 64), (uint64_t)n);
        ck_assert((u128)r * r <= n);
        ck_assert(r == UINT64_MAX || (u128)(r + 1) * (r + 1) > n);
    }
    ck_assert_uint_eq(mf_u128_isqrt(UINT64_MAX, UINT64_MAX), UINT64_MAX);
    ck_assert_uint_eq(mf_u128_isqrt(1, 0), UINT64_C(1) << 32);
}
END_TEST

START_TEST(u128_edge_numbers)
{
    /* n near 2^64, 2^96, 2^127 and 2^128 - small, candidates from 3 and around 2^32 */
    const int exps[] = {64, 65, 96, 127, 128};
    for (size_t e = 0; e < sizeof exps / sizeof exps[0]; e++)
        for (int k = -40; k <= 40; k++) {
            u128 n = exps[e] == 128 ? (u128)0 - (u128)(41 + k) : pow2(exps[e]) + (u128)(k + 40) - 40;
            if ((n >> 64) == 0)
                continue;
            check_query(n, 3, 3001);
            check_query(n, 4294967291u - 400, 4294967291u + 400);
        }
    /* the largest 64-bit prime squared: candidates just below 2^64 (overflow of p + step) */
    u128 big = (u128)UINT64_C(18446744073709551557) * UINT64_C(18446744073709551557);
    check_query(big, UINT64_MAX - 200, UINT64_MAX);
    check_query(big, UINT64_C(18446744073709551557), UINT64_C(18446744073709551557));
    check_query(big + 2, UINT64_MAX - 200, UINT64_MAX);
    /* near 2^63 and across 2^46, where the fast paths hand over to the plain one */
    u128 n63 = (u128)((UINT64_C(1) << 63) + 25) * 3;
    check_query(n63, (UINT64_C(1) << 63) - 101, (UINT64_C(1) << 63) + 101);
    u128 n46 = (u128)((UINT64_C(1) << 46) + 21) * ((UINT64_C(1) << 60) + 33);
    check_query(n46, (UINT64_C(1) << 46) - 301, (UINT64_C(1) << 46) + 301);
    u128 m46 = (u128)((UINT64_C(1) << 46) - 21) * (pow2(70) + 1);
    check_query(m46, (UINT64_C(1) << 46) - 301, (UINT64_C(1) << 46) + 301);
}
END_TEST

START_TEST(u128_random_divisors)
{
    /* n = p * q (+ 0, 1 or 2) with p of 2 to 50 bits and n of 65 to 128 bits, ranges around p */
    for (int i = 0; i < 30000; i++) {
        int pb = (int)mf_test_range(2, 50);
        uint64_t p = (mf_test_rand() >> (64 - pb)) | 1;
        if (p < 3)
            p = 3;
        int nb = (int)mf_test_range(65, 128);
        int qb = nb - (64 - __builtin_clzll(p));
        u128 q = ((u128)mf_test_rand() << 64 | mf_test_rand()) >> (128 - (qb < 1 ? 1 : qb));
        u128 n = q * p + (u128)(i % 3 == 0 ? mf_test_range(1, 2) : 0);
        if ((n >> 64) == 0 || n / p != q)
            continue;
        check_around(n, p, mf_test_range(1, 40));
    }
}
END_TEST

START_TEST(u128_long_ranges)
{
    /* long scans (the vector paths carry each reciprocal from the previous step by one Newton step once
       candidates pass 2^25): n of 40 to 128 bits with a prime-free start and a divisor p of 22 to 46 bits
       about 100,000 candidates in, and ranges that start below 2^25 and end above it */
    for (int i = 0; i < 40; i++) {
        int pb = (int)mf_test_range(22, 46);
        uint64_t p = (mf_test_rand() >> (64 - pb)) | 1;
        int nb = (int)mf_test_range(pb + 2 > 40 ? pb + 2 : 40, 128);
        int qb = nb - pb;
        u128 q = (((u128)mf_test_rand() << 64 | mf_test_rand()) >> (128 - qb)) | 1;
        u128 n = q * p;
        uint64_t back = 2 * (uint64_t)mf_test_range(50000, 150000);
        uint64_t lo = p > back + 3 ? (p - back) | 1 : 3;
        check_query(n, lo, p + 64);
        check_query(n + 2, lo, p + 64); /* most likely no divisor in the range at all */
    }
    check_query((u128)33554467 * 33554393, (UINT64_C(1) << 25) - 99999, (UINT64_C(1) << 25) + 99999);
}
END_TEST

START_TEST(u128_one_step_remainder_borders)
{
    /* the portable path tests candidates by one remainder once n / p < 2^47 (p >= 2^20), with one Newton
       step once p^3 > 2^12 n: divisors on either side of both borders, at every lane */
    for (int i = 0; i < 400; i++) {
        int nb = (int)mf_test_range(66, 92);
        u128 target = (((u128)mf_test_rand() << 64 | mf_test_rand()) >> (128 - nb)) | pow2(nb - 1);
        double border = i % 2 ? (double)(target >> 47) : cbrt((double)target * 0x1p12);
        if (border < 0x1p20 || border > 0x1p45)
            continue;
        uint64_t d = ((uint64_t)border + 2 * (uint64_t)mf_test_range(0, 80) - 80) | 1;
        u128 n = target / d * d;
        check_query(n, (d - 2 * (uint64_t)mf_test_range(0, 40)) | 1, d + 2 * (uint64_t)mf_test_range(8, 40));
        check_query(n + 2, (d - 200) | 1, d + 200);
    }
    /* a candidate whose remainder is a multiple of 2^32 (nonzero): equal modulo 2^32 only */
    for (int i = 0; i < 200; i++) {
        uint64_t p = ((mf_test_rand() >> 20) | UINT64_C(1) << 34) | 1;
        u128 q = (u128)mf_test_range(UINT64_C(1) << 31, UINT64_C(1) << 40);
        check_around(q * p + ((u128)mf_test_range(1, 3) << 32), p, 20);
    }
}
END_TEST

#ifdef MF_EMULATE_AVX512
START_TEST(u128_avx512_emulation_selected)
{
    /* the emulated build (make unit-emu) must run the AVX-512 path in every comparison, not skip it */
    ck_assert_int_eq(mf_u128_kernel_select(MF_U128_AVX512), 0);
    ck_assert_str_eq(mf_u128_kernel_name(), "avx512");
    ck_assert_int_eq(mf_u128_kernel_select(MF_U128_AUTO), 0);
    ck_assert_str_eq(mf_u128_kernel_name(), "avx512");
}
END_TEST
#endif

START_TEST(u128_horner_binade_borders)
{
    /* where n / p >= 2^47 the portable path uses Horner's rule with chunks of 53 - b bits for candidates
       below 2^b: divisors on both sides of every binade border 2^b (b = 17 .. 46), at every lane, in
       n of 100 to 128 bits (all-ones chunks included: the largest intermediate values) */
    for (int b = 17; b <= 46; b++)
        for (int i = 0; i < 12; i++) {
            uint64_t d = ((UINT64_C(1) << b) + 2 * (uint64_t)mf_test_range(0, 40) - 40) | 1;
            int nb = (int)mf_test_range(b + 48 > 100 ? b + 48 : 100, 128);
            u128 target = i % 3 == 0 ? ((u128)0 - 1) >> (128 - nb)
                                     : (((u128)mf_test_rand() << 64 | mf_test_rand()) >> (128 - nb)) | pow2(nb - 1);
            u128 n = target / d * d;
            check_query(n, (d - 2 * (uint64_t)mf_test_range(0, 40)) | 1, d + 2 * (uint64_t)mf_test_range(8, 40));
            check_query(n + 2, (d - 300) | 1, d + 300);
        }
    /* ranges that end just before a divisor, every length modulo 64: no lane reaches past hi */
    for (int len = 0; len < 64; len += 2) {
        uint64_t d = (UINT64_C(1) << 27) + 29; /* a prime */
        u128 n = (u128)d * (pow2(90) + 1);
        check_query(n, d - 2 - (uint64_t)(2 * len + 200), d - 2);
        check_query(n, d - 2 - (uint64_t)(2 * len + 200), d);
    }
    /* long scans across 2^24 (from two Newton steps per lane move to one) to the prime 2^24 + 4111, in
       n of 100 and 128 bits (the widest chunks, k = 28, ask the most of the reciprocals) */
    u128 n = (u128)((UINT64_C(1) << 24) + 4111) * (pow2(100) + 7);
    check_query(n, (UINT64_C(1) << 24) - 200001, (UINT64_C(1) << 24) + 8001);
    n = (u128)((UINT64_C(1) << 24) + 4111) * (((u128)0 - 1) / ((UINT64_C(1) << 24) + 4111));
    check_query(n, (UINT64_C(1) << 24) - 200001, (UINT64_C(1) << 24) + 8001);
}
END_TEST

/* Factorizes n with every implementation and checks the result against the expected primes. */
static void check_factorization(u128 n, const uint64_t *primes, size_t count)
{
    mpz_t z;
    mpz_init(z);
    uint64_t limbs[2] = {(uint64_t)n, (uint64_t)(n >> 64)};
    mpz_import(z, 2, -1, sizeof limbs[0], 0, 0, limbs);
    mf_value v;
    mf_value_init(&v);
    mf_value_set_mpz(&v, z);
    for (size_t k = 0; k < NKERNELS; k++) {
        if (mf_u128_kernel_select(kernels128[k]) != 0)
            continue;
        mf_factored f;
        mf_factored_init(&f);
        mf_factor_job job;
        mf_job_init(&job);
        mf_job_start(&job, &f, &v, 0);
        while (!mf_job_run(&job, 1000)) /* small slices: the cofactor changes kernel mid-slice */
            ;
        mf_job_clear(&job);
        ck_assert_msg(f.complete && f.nfactors == count, "kernel %s: %zu factors, want %zu",
                      mf_u128_kernel_name(), f.nfactors, count);
        for (size_t i = 0; i < count; i++)
            ck_assert_msg(!f.factors[i].is_big && f.factors[i].u == primes[i], "kernel %s: factor %zu = %llu, want %llu",
                          mf_u128_kernel_name(), i, (unsigned long long)f.factors[i].u, (unsigned long long)primes[i]);
        mf_factored_clear(&f);
    }
    mf_u128_kernel_select(MF_U128_AUTO);
    mf_value_clear(&v);
    mpz_clear(z);
}

START_TEST(u128_prime_powers_and_crossings)
{
    /* the kernel on powers of primes around 2^31 and past 2^32 (near their base) */
    static const uint64_t big_bases[] = {2147483647, 4294967291u, 4294967311u, UINT64_C(1099511627791)};
    for (size_t b = 0; b < sizeof big_bases / sizeof big_bases[0]; b++)
        for (u128 n = (u128)big_bases[b] * big_bases[b]; n <= ((u128)0 - 1) / big_bases[b]; n *= big_bases[b])
            check_around(n, big_bases[b], 50);
    /* whole factorizations of powers of primes up to 2^21 (candidates up to the prime) */
    static const uint64_t bases[] = {3, 65537, 1000003, 2097143};
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
        uint64_t primes[80];
        u128 n = 1;
        size_t k = 0;
        while (n <= ((u128)0 - 1) / bases[b]) { /* the highest power below 2^128 */
            n *= bases[b];
            primes[k++] = bases[b];
        }
        check_factorization(n, primes, k);
    }
    /* seven primes near 2^18: the cofactor leaves 128-bit arithmetic in the middle of a slice */
    static const uint64_t seven[] = {262147, 262151, 262153, 262187, 262193, 262217, 262231};
    u128 n = 1;
    for (size_t i = 0; i < 7; i++)
        n *= seven[i];
    check_factorization(n, seven, 7);
    /* 2^64 + 1 = 274177 * 67280421310721 */
    static const uint64_t f641[] = {274177, UINT64_C(67280421310721)};
    check_factorization(pow2(64) + 1, f641, 2);
}
END_TEST

START_TEST(u128_bounded_cofactor)
{
    /* --max-divisor with a cofactor above 2^64: reported incomplete with that cofactor */
    mpz_t z, want;
    mpz_init_set_str(z, "618970019642690137449562111", 10); /* 2^89 - 1, prime */
    mpz_init_set(want, z);
    mpz_mul_ui(z, z, 1000003);
    mf_value v;
    mf_value_init(&v);
    mf_value_set_mpz(&v, z);
    mf_factored f;
    mf_factored_init(&f);
    mf_factor(&f, &v, 2000000);
    ck_assert(!f.complete);
    ck_assert_uint_eq(f.nfactors, 1);
    ck_assert_uint_eq(f.factors[0].u, 1000003);
    ck_assert(f.cofactor.is_big && mpz_cmp(f.cofactor.z, want) == 0);
    mf_factored_clear(&f);
    mf_value_clear(&v);
    mpz_clear(z);
    mpz_clear(want);
}
END_TEST

START_TEST(mpz_limb_path_matches_plain)
{
    /* numbers of 129 to 600 bits (the limb path takes them up to 512) times p, ranges around p */
    mpz_t z;
    mpz_init(z);
    for (int i = 0; i < 3000; i++) {
        mpz_set_ui(z, 1);
        int bits = (int)mf_test_range(129, 600);
        while ((int)mpz_sizeinbase(z, 2) < bits) {
            mpz_mul_2exp(z, z, 64);
            mpz_add_ui(z, z, (unsigned long)mf_test_rand());
        }
        uint64_t p = (mf_test_rand() >> (64 - mf_test_range(2, 46))) | 1;
        if (p < 3)
            p = 3;
        mpz_mul_ui(z, z, (unsigned long)p);
        if (i % 4 == 0)
            mpz_add_ui(z, z, 2);
        uint64_t lo = p > 403 ? (p - 400) | 1 : 3, hi = p + (uint64_t)mf_test_range(0, 400);
        uint64_t want = mf_mpz_find_divisor_plain(z, lo, hi);
        for (size_t k = 0; k < NKERNELS; k++) {
            if (mf_u128_kernel_select(kernels128[k]) != 0)
                continue;
            ck_assert_msg(mf_mpz_find_divisor(z, lo, hi) == want, "kernel %s, %d bits, p=%llu", mf_u128_kernel_name(),
                          (int)mpz_sizeinbase(z, 2), (unsigned long long)p);
        }
        ck_assert_uint_eq(mf_mpz_find_divisor_gmp(z, lo, hi), want);
    }
    mf_u128_kernel_select(MF_U128_AUTO);
    mpz_clear(z);
}
END_TEST

Suite *kernel128_suite(void)
{
    /* every kernel this CPU runs is compared with the plain one; say which ones it cannot run */
    static const mf_u128_kernel vector[] = {MF_U128_AVX2, MF_U128_AVX512};
    static const char *const names[] = {"avx2", "avx512"};
    for (size_t k = 0; k < 2; k++)
        if (mf_u128_kernel_select(vector[k]) != 0)
            printf("kernel128: this CPU cannot run the 128-bit %s kernel: its tests are skipped here\n", names[k]);
    mf_u128_kernel_select(MF_U128_AUTO);
    Suite *s = suite_create("kernel128");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, u128_isqrt_exact);
    tcase_add_test(tc, u128_edge_numbers);
    tcase_add_test(tc, u128_random_divisors);
    tcase_add_test(tc, u128_long_ranges);
    tcase_add_test(tc, u128_one_step_remainder_borders);
    tcase_add_test(tc, u128_horner_binade_borders);
#ifdef MF_EMULATE_AVX512
    tcase_add_test(tc, u128_avx512_emulation_selected);
#endif
    tcase_add_test(tc, u128_prime_powers_and_crossings);
    tcase_add_test(tc, u128_bounded_cofactor);
    tcase_add_test(tc, mpz_limb_path_matches_plain);
    suite_add_tcase(s, tc);
    return s;
}
