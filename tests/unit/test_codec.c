/* Encode/decode round trips of values, units, results and statistics; malformed input is rejected. */
#include <check.h>
#include <string.h>

#include "mf_codec.h"
#include "mf_factor.h"
#include "mf_reorder.h"
#include "mf_runner.h"
#include "test_util.h"

START_TEST(value_round_trip)
{
    mf_buf b;
    mf_buf_init(&b);
    mf_value v, w;
    mf_value_init(&v);
    mf_value_init(&w);
    uint64_t smalls[] = {0, 1, 255, 256, UINT64_MAX};
    for (size_t i = 0; i < 5; i++)
        mf_value_set_u64(&v, smalls[i]), mf_codec_put_value(&b, &v);
    mpz_t z;
    mpz_init_set_ui(z, 1);
    mpz_mul_2exp(z, z, 64); /* 2^64: the smallest big value */
    mf_value_set_mpz(&v, z);
    mf_codec_put_value(&b, &v);
    mpz_ui_pow_ui(z, 7, 5000); /* thousands of digits */
    mf_value_set_mpz(&v, z);
    mf_codec_put_value(&b, &v);
    b.pos = 0;
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(mf_codec_get_value(&b, &w), 0);
        ck_assert(!w.is_big && w.u == smalls[i]);
    }
    ck_assert_int_eq(mf_codec_get_value(&b, &w), 0);
    ck_assert(w.is_big && mpz_sizeinbase(w.z, 2) == 65);
    ck_assert_int_eq(mf_codec_get_value(&b, &w), 0);
    ck_assert(w.is_big && mpz_cmp(w.z, z) == 0);
    ck_assert_int_eq(mf_codec_get_value(&b, &w), -1); /* past the end */
    /* truncated big value and unknown kind */
    mf_buf_reset(&b);
    mf_codec_put_value(&b, &v);
    b.len -= 1;
    ck_assert_int_eq(mf_codec_get_value(&b, &w), -1);
    mf_buf_reset(&b);
    mf_buf_put_u8(&b, 7);
    ck_assert_int_eq(mf_codec_get_value(&b, &w), -1);
    mpz_clear(z);
    mf_value_clear(&v);
    mf_value_clear(&w);
    mf_buf_free(&b);
}
END_TEST

START_TEST(unit_and_result_round_trip)
{
    mf_buf unit;
    mf_buf_init(&unit);
    mf_unit_begin(&unit, 42, 1000);
    mf_value v;
    mf_value_init(&v);
    const char *numbers[] = {"0", "1", "12", "18446744073709551617", "1000000007", "340282366920938463463374607431768211456"};
    mpz_t z;
    mpz_init(z);
    for (int i = 0; i < 6; i++) {
        mpz_set_str(z, numbers[i], 10);
        mf_value_set_mpz(&v, z);
        mf_unit_add(&unit, &v);
    }
    mf_unit_header h;
    ck_assert_int_eq(mf_unit_read_header(&unit, &h), 0);
    ck_assert(h.id == 42 && h.first == 1000 && h.count == 6);

    /* the runner turns the unit into a result, in slices */
    mf_runner r;
    mf_runner_init(&r, 0);
    ck_assert_int_eq(mf_runner_load(&r, &unit), 0);
    bool bad = false;
    int slices = 0;
    while (!mf_runner_step(&r, 1000, &bad))
        slices++;
    ck_assert(!bad && !r.active);
    mf_result_header rh;
    ck_assert_int_eq(mf_result_read_header(&r.result, &rh), 0);
    ck_assert(rh.id == 42 && rh.count == 6 && rh.candidates > 0);
    mf_factored f;
    mf_factored_init(&f);
    const char *texts[] = {"0:", "1:", "12: 2 2 3", "18446744073709551617: 274177 67280421310721",
                           "1000000007: 1000000007", NULL};
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(mf_result_next(&r.result, &f), 0);
        mf_buf t;
        mf_buf_init(&t);
        mf_value_put_dec(&t, &f.n);
        mf_buf_put_u8(&t, ':');
        for (size_t k = 0; k < f.nfactors; k++) {
            mf_buf_put_u8(&t, ' ');
            mf_value_put_dec(&t, &f.factors[k]);
        }
        mf_buf_put_u8(&t, 0);
        if (texts[i])
            ck_assert_str_eq((char *)t.data, texts[i]);
        else
            ck_assert_uint_eq(f.nfactors, 128);
        mf_buf_free(&t);
    }
    ck_assert_int_eq(mf_result_next(&r.result, &f), -1);
    /* a result with an unfactored cofactor keeps it */
    mf_buf res;
    mf_buf_init(&res);
    mf_result_begin(&res, 7);
    mf_value_set_u64(&v, 1022117);
    mf_factor(&f, &v, 1008);
    mf_result_add(&res, &f);
    mf_result_finish(&res, 99, 0.5);
    ck_assert_int_eq(mf_result_read_header(&res, &rh), 0);
    ck_assert(rh.id == 7 && rh.count == 1 && rh.candidates == 99 && rh.busy_s > 0.49 && rh.busy_s < 0.51);
    ck_assert_int_eq(mf_result_next(&res, &f), 0);
    ck_assert(!f.complete && f.cofactor.u == 1022117 && f.nfactors == 0);
    /* a malformed unit is refused */
    mf_buf_reset(&unit);
    mf_buf_put_u32(&unit, 1);
    ck_assert_int_eq(mf_runner_load(&r, &unit), -1);
    mf_buf_free(&res);
    mf_factored_clear(&f);
    mf_runner_free(&r);
    mpz_clear(z);
    mf_value_clear(&v);
    mf_buf_free(&unit);
}
END_TEST

START_TEST(stats_round_trip)
{
    mf_rank_stats a, b;
    mf_rank_stats_init(&a, 3);
    a.busy_s = 1.5;
    a.idle_s = 0.25;
    a.numbers = 10;
    a.units = 2;
    a.candidates = 12345678901234ull;
    a.bytes_sent = 7;
    a.bytes_received = 8;
    mf_buf buf;
    mf_buf_init(&buf);
    mf_codec_put_stats(&buf, &a);
    ck_assert_int_eq(mf_codec_get_stats(&buf, &b), 0);
    ck_assert(b.rank == 3 && strcmp(a.host, b.host) == 0 && b.numbers == 10 && b.units == 2);
    ck_assert(b.candidates == a.candidates && b.bytes_sent == 7 && b.bytes_received == 8);
    ck_assert(b.busy_s > 1.49 && b.busy_s < 1.51 && b.idle_s > 0.24 && b.idle_s < 0.26);
    buf.len -= 1;
    buf.pos = 0;
    ck_assert_int_eq(mf_codec_get_stats(&buf, &b), -1);
    mf_buf_free(&buf);
}
END_TEST

START_TEST(reorder_releases_in_order)
{
    mf_reorder r;
    ck_assert_int_eq(mf_reorder_init(&r, 4), 0);
    mf_buf b;
    mf_buf_init(&b);
    ck_assert(mf_reorder_has_room(&r, 3) && !mf_reorder_has_room(&r, 4));
    mf_buf_put_str(&b, "two");
    ck_assert_int_eq(mf_reorder_put(&r, 2, &b), 0);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_ptr_null(mf_reorder_ready(&r));
    mf_buf_put_str(&b, "zero");
    ck_assert_int_eq(mf_reorder_put(&r, 0, &b), 0);
    mf_buf_put_str(&b, "again");
    ck_assert_int_eq(mf_reorder_put(&r, 0, &b), -1); /* duplicate */
    ck_assert_int_eq(mf_reorder_put(&r, 4, &b), -1); /* outside the window */
    mf_buf *x = mf_reorder_ready(&r);
    ck_assert(x && x->len == 4 && memcmp(x->data, "zero", 4) == 0);
    mf_reorder_advance(&r);
    ck_assert_ptr_null(mf_reorder_ready(&r));
    ck_assert(mf_reorder_has_room(&r, 4));
    mf_buf_reset(&b);
    mf_buf_put_str(&b, "one");
    ck_assert_int_eq(mf_reorder_put(&r, 1, &b), 0);
    x = mf_reorder_ready(&r);
    ck_assert(x && memcmp(x->data, "one", 3) == 0);
    mf_reorder_advance(&r);
    x = mf_reorder_ready(&r);
    ck_assert(x && memcmp(x->data, "two", 3) == 0);
    mf_reorder_advance(&r);
    ck_assert_int_eq(mf_reorder_put(&r, 1, &b), -1); /* already written */
    mf_buf_free(&b);
    mf_reorder_free(&r);
}
END_TEST

Suite *codec_suite(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, value_round_trip);
    tcase_add_test(tc, unit_and_result_round_trip);
    tcase_add_test(tc, stats_round_trip);
    tcase_add_test(tc, reorder_releases_in_order);
    suite_add_tcase(s, tc);
    return s;
}
