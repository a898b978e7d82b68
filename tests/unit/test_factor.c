/* mf_factor (both kernels, resumable slices, bounds) against a slow reference trial division; mf_verify. */
#include <check.h>
#include <gmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mf_factor.h"
#include "mf_kernel_u128.h"
#include "mf_kernel_u64.h"
#include "mf_verify.h"
#include "test_util.h"

/* Slow reference: plain trial division by 2 then every odd p with mpz_divisible_ui_p, as text. */
static void reference(const char *number, char *out, size_t outlen)
{
    mpz_t n, p2;
    mpz_init_set_str(n, number, 10);
    mpz_init(p2);
    size_t o = (size_t)snprintf(out, outlen, "%s:", number);
    if (mpz_cmp_ui(n, 1) > 0) {
        for (unsigned long p = 2;; p += (p == 2 ? 1 : 2)) {
            mpz_set_ui(p2, p);
            mpz_mul_ui(p2, p2, p);
            if (mpz_cmp(p2, n) > 0)
                break;
            while (mpz_divisible_ui_p(n, p)) {
                o += (size_t)snprintf(out + o, outlen - o, " %lu", p);
                mpz_divexact_ui(n, n, p);
            }
        }
        if (mpz_cmp_ui(n, 1) > 0)
            o += (size_t)gmp_snprintf(out + o, outlen - o, " %Zd", n);
    }
    mpz_clears(n, p2, NULL);
}

/* Formats a result like GNU factor. */
static void render(const mf_factored *f, char *out, size_t outlen)
{
    mf_buf b;
    mf_buf_init(&b);
    mf_value_put_dec(&b, &f->n);
    mf_buf_put_u8(&b, ':');
    for (size_t i = 0; i < f->nfactors; i++) {
        mf_buf_put_u8(&b, ' ');
        mf_value_put_dec(&b, &f->factors[i]);
    }
    if (!f->complete) {
        mf_buf_put_str(&b, " | ");
        mf_value_put_dec(&b, &f->cofactor);
    }
    mf_buf_put_u8(&b, 0);
    snprintf(out, outlen, "%s", (char *)b.data);
    mf_buf_free(&b);
}

/* Factorizes `number` in one go and (when sliced) in small slices with each kernel; all must equal
   the reference. */
static void check_answer(const char *number, const char *want, bool sliced)
{
    static char got[1 << 16];
    mpz_t z;
    mpz_init_set_str(z, number, 10);
    mf_value v;
    mf_value_init(&v);
    mf_value_set_mpz(&v, z);
    mf_factored f;
    mf_factored_init(&f);
    const mf_u64_kernel kernels[] = {MF_KERNEL_PLAIN, MF_KERNEL_SCALAR, MF_KERNEL_AVX2, MF_KERNEL_AVX512};
    /* long runs (candidates up to 2^32) use the best kernel only; test_kernel covers that range */
    for (int k = sliced ? 0 : 3; k < 4; k++) {
        if (mf_u64_kernel_select(sliced ? kernels[k] : MF_KERNEL_AUTO) != 0)
            continue;
        mf_factor(&f, &v, 0);
        render(&f, got, sizeof got);
        ck_assert_msg(strcmp(got, want) == 0, "%s kernel: got '%s' want '%s'", mf_u64_kernel_name(), got, want);
        char err[256];
        ck_assert_msg(mf_verify(&f, err, sizeof err) == 0, "%s", err);
        if (!sliced)
            continue;
        /* resumable: tiny slices give the same answer */
        mf_factor_job job;
        mf_job_init(&job);
        mf_job_start(&job, &f, &v, 0);
        int slices = 0;
        while (!mf_job_run(&job, 1 + (uint64_t)slices % 97))
            slices++;
        mf_job_clear(&job);
        render(&f, got, sizeof got);
        ck_assert_msg(strcmp(got, want) == 0, "sliced: got '%s' want '%s'", got, want);
    }
    mf_u64_kernel_select(MF_KERNEL_AUTO);
    mf_factored_clear(&f);
    mf_value_clear(&v);
    mpz_clear(z);
}

static void check_number(const char *number, bool sliced)
{
    static char want[1 << 16];
    reference(number, want, sizeof want);
    check_answer(number, want, sliced);
}

START_TEST(edge_numbers)
{
    const char *cases[] = {
        "0", "1", "2", "3", "4", "9", "25", "97", "1000000007", "4294967291", "4294967296",
        "18446744073709551615",                 /* 2^64 - 1 */
        "18446744073709551616",                 /* 2^64 */
        "18446744073709551617",                 /* 2^64 + 1 = 274177 * 67280421310721 */
        "340282366920938463463374607431768211456", /* 2^128 */
        "2432902008176640000",                  /* 20! */
        "15511210043330985984000000",           /* 25! */
        "1267650600228229401496703205377",      /* 2^100 + 1 (prime factors 17, 401, 61681, 340801, 2787601, 3173389601) */
        "30414093201713378043612608166064768844377641568960512000000000000", /* 50! */
        "36893488147419103231",                 /* 2^65 - 1 = 31 * 8191 * 145295143558111 */
        "79228162514264337593543950336",        /* 2^96 */
        "4398042316799", "1152921504606846976", /* a 42-bit prime; 2^60 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_number(cases[i], true);
    /* candidates up to 2^32: too slow for the reference, so known answers and no slicing */
    check_answer("18446744073709551557", "18446744073709551557: 18446744073709551557", false);
    check_answer("18446744030759878681", "18446744030759878681: 4294967291 4294967291", false);
    check_answer("4611686014132420609", "4611686014132420609: 2147483647 2147483647", false);
    check_answer("18446743979220271189", "18446743979220271189: 4294967279 4294967291", false);
}
END_TEST

START_TEST(u64_past_the_inverse_table)
{
    /* below 2^64, candidates past the scalar kernel's table (2^21) go to the 128-bit vector kernel when
       it is selected: factors on both sides of that border, squares, slices crossing it, and the same
       with the 128-bit scalar kernel (no hand-over) */
    const char *cases[] = {
        "4398063288167",       /* 2097143 * 2097169: the largest prime below 2^21, the smallest above */
        "4398117814561",       /* 2097169^2 */
        "4398205895659",       /* 2097169 * 2097211 */
        "13194189864501",      /* 3 * 2097143 * 2097169 */
        "70368744177643",      /* a prime below 2^46: every candidate to 2^23 */
        "9223381932585255047", /* 8388617 * 1099511627791 */
    };
    /* each 128-bit kernel this CPU runs (the hand-over differs between them), the scalar one everywhere */
    const mf_u128_kernel wide[] = {MF_U128_AVX512, MF_U128_AVX2, MF_U128_SCALAR};
    ck_assert_int_eq(mf_u128_kernel_select(MF_U128_SCALAR), 0);
    for (size_t w = 0; w < 3; w++) {
        if (mf_u128_kernel_select(wide[w]) != 0)
            continue;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            check_number(cases[i], true);
    }
    mf_u128_kernel_select(MF_U128_AUTO);
}
END_TEST

START_TEST(cofactor_drops_below_2_64)
{
    /* the first 60 primes times a 46-bit prime: the big kernel strips them, the u64 kernel finishes */
    mpz_t z, p;
    mpz_init_set_ui(z, 70368744177643u); /* 2^46 - 21, prime */
    mpz_init_set_ui(p, 1);
    for (int i = 0; i < 60; i++) {
        mpz_nextprime(p, p);
        mpz_mul(z, z, p);
    }
    char *s = mpz_get_str(NULL, 10, z);
    check_number(s, true);
    free(s);
    mpz_clears(z, p, NULL);
}
END_TEST

START_TEST(factorial_1000)
{
    mpz_t z;
    mpz_init(z);
    mpz_fac_ui(z, 1000);
    mf_value v;
    mf_value_init(&v);
    mf_value_set_mpz(&v, z);
    mf_factored f;
    mf_factored_init(&f);
    mf_factor(&f, &v, 0);
    char err[256];
    ck_assert_msg(mf_verify(&f, err, sizeof err) == 0, "%s", err);
    ck_assert(f.complete);
    /* Legendre: 1000! has 994 factors of 2, last factor 997 */
    size_t twos = 0;
    for (size_t i = 0; i < f.nfactors; i++)
        twos += !f.factors[i].is_big && f.factors[i].u == 2;
    ck_assert_uint_eq(twos, 994);
    ck_assert_uint_eq(f.factors[f.nfactors - 1].u, 997);
    mf_factored_clear(&f);
    mf_value_clear(&v);
    mpz_clear(z);
}
END_TEST

START_TEST(random_u64_against_reference)
{
    char text[32];
    for (int i = 0; i < 400; i++) {
        uint64_t n = mf_test_rand() >> (24 + mf_test_rand() % 40);
        snprintf(text, sizeof text, "%llu", (unsigned long long)n);
        check_number(text, true);
    }
}
END_TEST

START_TEST(max_divisor_leaves_cofactor)
{
    mf_value v;
    mf_value_init(&v);
    mf_factored f;
    mf_factored_init(&f);
    char got[512];
    mf_value_set_u64(&v, UINT64_C(2) * 3 * 1000003 * 1000033);
    mf_factor(&f, &v, 1000);
    render(&f, got, sizeof got);
    ck_assert_str_eq(got, "6000216000594: 2 3 | 1000036000099");
    char err[256];
    ck_assert_msg(mf_verify(&f, err, sizeof err) == 0, "%s", err);
    /* a bound above the square root changes nothing */
    mf_value_set_u64(&v, 221);
    mf_factor(&f, &v, 100);
    render(&f, got, sizeof got);
    ck_assert_str_eq(got, "221: 13 17");
    /* the bound itself is tested; a prime cofactor below bound^2 is complete */
    mf_value_set_u64(&v, UINT64_C(1009) * 1013);
    mf_factor(&f, &v, 1009);
    render(&f, got, sizeof got);
    ck_assert_str_eq(got, "1022117: 1009 1013");
    mf_value_set_u64(&v, UINT64_C(1009) * 1013);
    mf_factor(&f, &v, 1008);
    render(&f, got, sizeof got);
    ck_assert_str_eq(got, "1022117: | 1022117");
    /* big number: a bounded run stops with a big cofactor */
    mpz_t z;
    mpz_init_set_str(z, "340282366920938463463374607431768211457", 10);
    mf_value_set_mpz(&v, z);
    mf_factor(&f, &v, 100000);
    ck_assert(!f.complete && f.nfactors == 0 && f.cofactor.is_big);
    ck_assert(mpz_cmp(f.cofactor.z, z) == 0);
    mpz_clear(z);
    mf_factored_clear(&f);
    mf_value_clear(&v);
}
END_TEST

START_TEST(candidates_left_counts_to_the_root)
{
    /* the odd candidates from the next one to the root of the cofactor (or the bound): exact as the job runs,
       0 once it is done, saturated where the root does not fit 64 bits */
    mf_value v;
    mf_value_init(&v);
    mf_factored f;
    mf_factored_init(&f);
    mf_factor_job job;
    mf_job_init(&job);
    mf_value_set_u64(&v, UINT64_C(4611686014132420609)); /* (2^31 - 1)^2 */
    mf_job_start(&job, &f, &v, 0);
    ck_assert(!mf_job_run(&job, 1000));
    ck_assert_uint_eq(mf_job_candidates_left(&job), (UINT64_C(2147483647) - job.p) / 2 + 1);
    uint64_t before = mf_job_candidates_left(&job), tested = job.candidates;
    ck_assert(!mf_job_run(&job, 1000000));
    ck_assert_uint_eq(before - mf_job_candidates_left(&job), job.candidates - tested);
    mf_job_start(&job, &f, &v, 100001); /* a bound below the root */
    ck_assert(!mf_job_run(&job, 10));
    ck_assert_uint_eq(mf_job_candidates_left(&job), (UINT64_C(100001) - job.p) / 2 + 1);
    mf_value_set_u64(&v, 15);
    mf_job_start(&job, &f, &v, 0);
    ck_assert(mf_job_run(&job, 1000));
    ck_assert_uint_eq(mf_job_candidates_left(&job), 0);
    mpz_t z; /* 2^127 - 1 (prime; 2^64 <= n < 2^128): the root fits; 2^521 - 1: it does not */
    mpz_init_set_str(z, "170141183460469231731687303715884105727", 10);
    mf_value_set_mpz(&v, z);
    mf_job_start(&job, &f, &v, 0);
    ck_assert(!mf_job_run(&job, 1000));
    ck_assert_uint_eq(mf_job_candidates_left(&job), (UINT64_C(13043817825332782212) - job.p) / 2 + 1);
    mpz_ui_pow_ui(z, 2, 521);
    mpz_sub_ui(z, z, 1);
    mf_value_set_mpz(&v, z);
    mf_job_start(&job, &f, &v, 0);
    ck_assert(!mf_job_run(&job, 1000));
    ck_assert_uint_eq(mf_job_candidates_left(&job), UINT64_MAX);
    mpz_clear(z);
    mf_job_clear(&job);
    mf_factored_clear(&f);
    mf_value_clear(&v);
}
END_TEST

START_TEST(verify_catches_errors)
{
    mf_value v;
    mf_value_init(&v);
    mf_factored f;
    mf_factored_init(&f);
    char err[256];
    mf_value_set_u64(&v, 12);
    mf_factor(&f, &v, 0);
    ck_assert_int_eq(mf_verify(&f, err, sizeof err), 0);
    f.factors[2].u = 5; /* 2 2 5: wrong product */
    ck_assert_int_eq(mf_verify(&f, err, sizeof err), -1);
    ck_assert(strstr(err, "verification failed for 12") != NULL);
    f.factors[2].u = 3;
    f.factors[0].u = 4; /* not prime, not ascending */
    f.factors[1].u = 3;
    f.nfactors = 2;
    ck_assert_int_eq(mf_verify(&f, err, sizeof err), -1);
    mf_factored_clear(&f);
    mf_value_clear(&v);
}
END_TEST

Suite *factor_suite(void)
{
    Suite *s = suite_create("factor");
    TCase *tc = tcase_create("factor");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, edge_numbers);
    tcase_add_test(tc, u64_past_the_inverse_table);
    tcase_add_test(tc, cofactor_drops_below_2_64);
    tcase_add_test(tc, factorial_1000);
    tcase_add_test(tc, random_u64_against_reference);
    tcase_add_test(tc, max_divisor_leaves_cofactor);
    tcase_add_test(tc, candidates_left_counts_to_the_root);
    tcase_add_test(tc, verify_catches_errors);
    suite_add_tcase(s, tc);
    return s;
}
