/* The u64 and mpz kernels against their plain reference implementations, on edge cases and random input. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <gmp.h>

#include "mf_kernel_mpz.h"
#include "mf_kernel_u64.h"
#include "mf_sim.h"
#include "test_util.h"

__extension__ typedef unsigned __int128 u128;

static const mf_u64_kernel fast_kernels[] = {MF_KERNEL_SCALAR, MF_KERNEL_AVX512, MF_KERNEL_AVX2};

/* Compares every available fast kernel with the plain one on one query. */
static void check_query(uint64_t n, uint64_t lo, uint64_t hi)
{
    uint64_t want = mf_u64_find_divisor_plain(n, lo, hi);
    for (size_t k = 0; k < sizeof fast_kernels / sizeof fast_kernels[0]; k++) {
        if (mf_u64_kernel_select(fast_kernels[k]) != 0)
            continue;
        uint64_t got = mf_u64_find_divisor(n, lo, hi);
        ck_assert_msg(got == want, "kernel %s: n=%llu [%llu,%llu]: got %llu want %llu", mf_u64_kernel_name(),
                      (unsigned long long)n, (unsigned long long)lo, (unsigned long long)hi,
                      (unsigned long long)got, (unsigned long long)want);
    }
    mf_u64_kernel_select(MF_KERNEL_AUTO);
}

START_TEST(inverse_is_inverse)
{
    for (uint64_t p = 1; p < 100000; p += 2)
        ck_assert_uint_eq(p * mf_u64_inverse(p), 1);
    for (int i = 0; i < 10000; i++) {
        uint64_t p = mf_test_rand() | 1;
        ck_assert_uint_eq(p * mf_u64_inverse(p), 1);
    }
}
END_TEST

START_TEST(isqrt_exact)
{
    uint64_t cases[] = {0, 1, 2, 3, 4, 15, 16, 17, UINT64_C(4294967295) * UINT64_C(4294967295),
                        UINT64_C(4294967295) * UINT64_C(4294967295) - 1, UINT64_MAX, UINT64_MAX - 1,
                        UINT64_C(1) << 62, (UINT64_C(1) << 62) - 1};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t n = cases[i], r = mf_u64_isqrt(n);
        ck_assert((u128)r * r <= n);
        ck_assert((u128)(r + 1) * (r + 1) > n);
    }
    for (int i = 0; i < 100000; i++) {
        uint64_t n = mf_test_rand() >> (mf_test_rand() % 64), r = mf_u64_isqrt(n);
        ck_assert((u128)r * r <= n && (u128)(r + 1) * (r + 1) > n);
    }
}
END_TEST

START_TEST(u64_edge_cases)
{
    /* primes near 2^32 and their products: divisors at the very end of the range */
    const uint64_t big_primes[] = {4294967291u, 4294967279u, 4294967231u, 65521u, 65519u, 2097143u, 2097169u};
    for (size_t i = 0; i < 7; i++)
        for (size_t j = 0; j < 7; j++) {
            u128 prod = (u128)big_primes[i] * big_primes[j];
            if (prod > UINT64_MAX)
                continue;
            uint64_t n = (uint64_t)prod;
            uint64_t lo = big_primes[i] < big_primes[j] ? big_primes[i] : big_primes[j];
            check_query(n, lo > 1000 ? lo - 1000 : 3, mf_u64_isqrt(n) | 1);
            check_query(n, lo, lo);           /* a range of one candidate */
            check_query(n, lo + 2, lo + 600); /* a range just past the divisor */
        }
    /* n near 2^64 with small and large candidates (many filter false positives for small p) */
    for (uint64_t n = UINT64_MAX; n > UINT64_MAX - 200; n--) {
        check_query(n, 3, 4001);
        check_query(n, 4294960001u, 4294967295u);
    }
    /* the inverse-table boundary (2^21) crossed inside one query */
    check_query(UINT64_C(2097143) * UINT64_C(2097169), (UINT64_C(1) << 21) - 1001, (UINT64_C(1) << 21) + 1001);
    check_query(UINT64_C(2097169) * UINT64_C(2097169), (UINT64_C(1) << 21) - 99, (UINT64_C(1) << 21) + 999);
    /* empty and inverted ranges */
    ck_assert_uint_eq(mf_u64_find_divisor(15, 7, 5), 0);
    ck_assert_uint_eq(mf_u64_find_divisor(9, 3, 3), 3);
}
END_TEST

START_TEST(u64_random_ranges)
{
    for (int i = 0; i < 3000; i++) {
        uint64_t n = mf_test_rand() >> (mf_test_rand() % 40);
        uint64_t lo = mf_test_range(3, 1u << 22) | 1;
        uint64_t hi = lo + 2 * mf_test_range(0, 3000);
        if (i % 3 == 0) { /* plant a divisor in the range */
            uint64_t d = (lo + 2 * mf_test_range(0, (hi - lo) / 2));
            n = d * mf_test_range(1, UINT64_MAX / d);
        }
        check_query(n, lo, hi);
    }
    /* past the inverse table (AVX-512 reciprocal path): candidates up to 2^32, n up to 2^64 */
    for (int i = 0; i < 2000; i++) {
        uint64_t lo = mf_test_range(UINT64_C(1) << 21, UINT64_C(0xFFFFF000)) | 1;
        uint64_t hi = lo + 2 * mf_test_range(0, 1500);
        uint64_t n = mf_test_rand();
        if (i % 2 == 0) {
            uint64_t d = lo + 2 * mf_test_range(0, (hi - lo) / 2);
            n = d * mf_test_range(d, UINT64_MAX / d); /* cofactor >= d: n >= d^2 */
        }
        check_query(n, lo, hi);
    }
}
END_TEST

START_TEST(u64_avx2_reciprocals)
{
    /* AVX2 below 2^63: reciprocals from the lane 32 below by two Newton steps, then by one once p^3 passes
       about 2^12 n; the scalar kernel below the start and for the last few; n split into a double and a
       small remainder. Scans from 3 across both thresholds to a divisor past them, n just below 2^b. */
    const int bits[] = {33, 40, 52, 53, 54, 62, 63};
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        uint64_t d = ((uint64_t)(cbrt(0x1p12 * ldexp(1.0, bits[i])) * 1.5) + 2 * mf_test_range(0, 50)) | 1;
        uint64_t n = (uint64_t)((((u128)1 << bits[i]) - 1) / d * d);
        check_query(n, 3, d + 64);
        check_query(n, (d - 2000) | 1, d + 2000);
        check_query(n - 2, 3, d + 64); /* no divisor planted */
    }
    /* n at 2^63 and around it (the AVX2 path ends there), with small and large candidates */
    const uint64_t around[] = {(UINT64_C(1) << 63) - 1, (UINT64_C(1) << 63) - 25, UINT64_C(1) << 63,
                               (UINT64_C(1) << 63) + 1, UINT64_C(3037000493) * UINT64_C(3037000453)};
    for (size_t i = 0; i < sizeof around / sizeof around[0]; i++) {
        check_query(around[i], 3, 200001);
        check_query(around[i], UINT64_C(3037000001), UINT64_C(3037001001));
    }
    /* every range length up to 40 candidates ending at a divisor, or just before it (the tails) */
    for (uint64_t len = 0; len <= 40; len++) {
        uint64_t d = 1048583; /* a prime */
        uint64_t n = d * ((UINT64_C(1) << 40) + 15);
        check_query(n, d - 2 * len, d);
        check_query(n, d - 2 * len, d - 2);
    }
}
END_TEST

/* The 32-bit table kernel (numbers below 2^32, candidates up to 65535) under every kernel selection this CPU runs
   (its vector and scalar table scans, and the plain one used as it is) against the plain reference. */
START_TEST(u32_tables_every_kernel)
{
    static const mf_u64_kernel all[] = {MF_KERNEL_PLAIN, MF_KERNEL_SCALAR, MF_KERNEL_AVX2, MF_KERNEL_AVX512};
    for (int i = 0; i < 4000; i++) {
        uint32_t n = (uint32_t)mf_test_rand();
        uint64_t lo = mf_test_range(3, 65535) | 1, hi = lo + 2 * mf_test_range(0, 200);
        if (hi > 65535)
            hi = 65535;
        if (i % 2 == 0) { /* plant a divisor in the range, at its end every 8th time (the vector tails) */
            uint64_t d = i % 16 == 0 ? hi : lo + 2 * mf_test_range(0, (hi - lo) / 2);
            n = (uint32_t)(d * mf_test_range(1, UINT32_MAX / d));
        }
        uint64_t want = mf_u64_find_divisor_plain(n, lo, hi);
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
            if (mf_u64_kernel_select(all[k]) != 0)
                continue;
            uint64_t got = mf_u32_find_divisor(n, lo, hi);
            ck_assert_msg(got == want, "kernel %s: n=%u [%llu,%llu]: got %llu want %llu", mf_u64_kernel_name(), n,
                          (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)got,
                          (unsigned long long)want);
        }
    }
    mf_u64_kernel_select(MF_KERNEL_AUTO);
}
END_TEST

START_TEST(mpz_matches_plain)
{
    mpz_t z;
    mpz_init(z);
    for (int i = 0; i < 300; i++) {
        mpz_set_ui(z, (unsigned long)(mf_test_rand() | 1));
        int words = (int)mf_test_range(1, 6);
        for (int w = 0; w < words; w++) {
            mpz_mul_2exp(z, z, 64);
            mpz_add_ui(z, z, (unsigned long)mf_test_rand());
        }
        if (i % 2)
            mpz_mul_ui(z, z, (unsigned long)(mf_test_range(3, 1u << 30) | 1));
        uint64_t lo = mf_test_range(3, 1u << 31) | 1, hi = lo + 2 * mf_test_range(0, 2000);
        ck_assert_uint_eq(mf_mpz_find_divisor(z, lo, hi), mf_mpz_find_divisor_plain(z, lo, hi));
        ck_assert_uint_eq(mf_mpz_find_divisor(z, 3, 3001), mf_mpz_find_divisor_plain(z, 3, 3001));
    }
    /* a divisor in the last position of a group and of the range */
    mpz_set_ui(z, 4294967291u);
    mpz_mul_2exp(z, z, 80);
    mpz_add_ui(z, z, 0);
    ck_assert_uint_eq(mf_mpz_find_divisor(z, 4294967001u, 4294967291u), 4294967291u);
    mpz_clear(z);
}
END_TEST

/* The table hook of src/sim.c: in the ordinary build a plain realloc that keeps the content. */
START_TEST(sim_table_hook)
{
    ck_assert_int_eq(mf_sim_enabled(), 0);
    ck_assert_ptr_null(mf_sim_shared_realloc(NULL, 65, 64));
    uint64_t *t = mf_sim_shared_realloc(NULL, 4 * sizeof *t, 1024 * sizeof *t);
    ck_assert_ptr_nonnull(t);
    for (int i = 0; i < 4; i++)
        t[i] = mf_u64_inverse(3 + 2 * (uint64_t)i);
    t = mf_sim_shared_realloc(t, 1024 * sizeof *t, 1024 * sizeof *t);
    ck_assert_ptr_nonnull(t);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(t[i] * (3 + 2 * (uint64_t)i), 1);
    t[1023] = 7; /* the whole block is usable (ASan checks) */
    mf_sim_shared_free(t);
    mf_sim_shared_free(NULL);
}
END_TEST

Suite *kernel_suite(void)
{
    /* every kernel this CPU runs is compared with the plain one below; say which ones it cannot run */
    static const mf_u64_kernel vector[] = {MF_KERNEL_AVX2, MF_KERNEL_AVX512};
    static const char *const names[] = {"avx2", "avx512"};
    for (size_t k = 0; k < 2; k++)
        if (mf_u64_kernel_select(vector[k]) != 0)
            printf("kernel: this CPU cannot run the 64-bit %s kernel: its tests are skipped here\n", names[k]);
    mf_u64_kernel_select(MF_KERNEL_AUTO);
    Suite *s = suite_create("kernel");
    TCase *tc = tcase_create("kernel");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, inverse_is_inverse);
    tcase_add_test(tc, isqrt_exact);
    tcase_add_test(tc, u64_edge_cases);
    tcase_add_test(tc, u64_random_ranges);
    tcase_add_test(tc, u64_avx2_reciprocals);
    tcase_add_test(tc, u32_tables_every_kernel);
    tcase_add_test(tc, mpz_matches_plain);
    tcase_add_test(tc, sim_table_hook);
    suite_add_tcase(s, tc);
    return s;
}
