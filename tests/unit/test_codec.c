/* Encode/decode round trips of values, units, results and statistics; malformed input is rejected. */
#include <check.h>
#include <string.h>

#include "mf_codec.h"
#include "mf_factor.h"
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

START_TEST(units_round_trip)
{
    mf_buf b;
    mf_buf_init(&b);
    mf_value c;
    mf_value_init(&c);
    mf_unit u;
    /* text unit: header then the slice as the rest of the message */
    mf_text_unit_begin(&b, 0, 0, 0, 0);
    mf_buf_put_str(&b, "12 34\n# x\n");
    mf_text_unit_set_header(&b, 77, 3, 1234567890123ull, 1);
    ck_assert_int_eq(mf_unit_read(&b, &u, &c), 0);
    ck_assert(u.kind == MF_UNIT_TEXT && u.id == 77 && u.file == 3 && u.line == 1234567890123ull && u.in_comment);
    ck_assert(u.len == 10 && memcmp(u.text, "12 34\n# x\n", 10) == 0);
    /* range unit with a big cofactor */
    mpz_t z;
    mpz_init(z);
    mpz_ui_pow_ui(z, 10007, 9);
    mf_value_set_mpz(&c, z);
    mf_range_unit_put(&b, 5, &c, 101, 999);
    mf_value_set_u64(&c, 0);
    ck_assert_int_eq(mf_unit_read(&b, &u, &c), 0);
    ck_assert(u.kind == MF_UNIT_RANGE && u.id == 5 && u.lo == 101 && u.hi == 999);
    ck_assert(c.is_big && mpz_cmp(c.z, z) == 0);
    /* malformed: even or small lo, hi below lo, truncated, unknown kind */
    mf_range_unit_put(&b, 5, &c, 100, 999);
    ck_assert_int_eq(mf_unit_read(&b, &u, &c), -1);
    mf_range_unit_put(&b, 5, &c, 1, 999);
    ck_assert_int_eq(mf_unit_read(&b, &u, &c), -1);
    mf_range_unit_put(&b, 5, &c, 1001, 999);
    ck_assert_int_eq(mf_unit_read(&b, &u, &c), -1);
    mf_range_unit_put(&b, 5, &c, 101, 999);
    b.len -= 1;
    ck_assert_int_eq(mf_unit_read(&b, &u, &c), -1);
    mf_buf_reset(&b);
    mf_buf_put_u8(&b, 9);
    mf_buf_put_u64(&b, 1);
    ck_assert_int_eq(mf_unit_read(&b, &u, &c), -1);
    mf_text_unit_begin(&b, 1, 0, 1, 0);
    b.len -= 2; /* header cut short */
    ck_assert_int_eq(mf_unit_read(&b, &u, &c), -1);
    mpz_clear(z);
    mf_value_clear(&c);
    mf_buf_free(&b);
}
END_TEST

START_TEST(results_round_trip)
{
    mf_buf b, msgs;
    mf_buf_init(&b);
    mf_buf_init(&msgs);
    mf_factored f, g;
    mf_factored_init(&f);
    mf_factored_init(&g);
    mf_result_info r;
    /* a plain text result */
    mf_text_result_begin(&b, 12);
    mf_buf_put_str(&b, "6: 2 3\n");
    mf_buf_put_str(&msgs, "mpifactor: f:1: 'x' is not a valid non-negative integer\n");
    mf_text_result_end(&b, 2, 40, 0, 0, &msgs, 1, 1, 0, 1, 99, 0.5, NULL, 0, 0, 0);
    ck_assert_int_eq(mf_result_read(&b, &r, NULL), 0);
    ck_assert(r.kind == MF_UNIT_TEXT && r.id == 12 && r.file == 2 && r.bytes == 40 && r.numbers == 1);
    ck_assert(r.invalid == 1 && r.unfactored == 1 && r.candidates == 99 && r.busy_s > 0.49 && r.busy_s < 0.51);
    ck_assert(r.out_len == 7 && memcmp(r.out, "6: 2 3\n", 7) == 0);
    ck_assert(r.msgs_len == msgs.len && memcmp(r.msgs, msgs.data, msgs.len) == 0);
    ck_assert(!r.escalated && !r.relative);
    /* relative lines (a slice cut by byte offset): the newline count and message records, rendered from the
       unit's first line once it is known */
    mf_buf_reset(&msgs);
    mf_msg_put_invalid(&msgs, 1, (const unsigned char *)"x", 1);
    mf_msg_put_text(&msgs, "mpifactor: something else\n");
    mf_msg_put_invalid(&msgs, 3, (const unsigned char *)"1e5", 3);
    mf_buf_reset(&b);
    mf_text_result_begin(&b, 13);
    mf_text_result_end(&b, 1, 30, 1, 4, &msgs, 0, 2, 0, 0, 0, 0, NULL, 0, 0, 0);
    ck_assert_int_eq(mf_result_read(&b, &r, NULL), 0);
    ck_assert(r.relative && r.newlines == 4 && r.file == 1 && r.bytes == 30 && r.invalid == 2);
    mf_buf text;
    mf_buf_init(&text);
    ck_assert_int_eq(mf_msg_render(r.msgs, r.msgs_len, "in.txt", 41, &text), 0);
    const char *want = "mpifactor: in.txt:41: 'x' is not a valid non-negative integer\n"
                       "mpifactor: something else\n"
                       "mpifactor: in.txt:43: '1e5' is not a valid non-negative integer\n";
    ck_assert(text.len == strlen(want) && memcmp(text.data, want, text.len) == 0);
    mf_buf_reset(&text);
    ck_assert_int_eq(mf_msg_render(r.msgs, r.msgs_len - 1, "in.txt", 41, &text), -1); /* cut short */
    mf_buf_free(&text);
    /* with an escalated number */
    mpz_t z;
    mpz_init_set_str(z, "340282366920938463463374607431768211507", 10);
    mf_value_set_mpz(&f.n, z);
    mf_factored_push_u64(&f, 3);
    f.complete = false;
    mpz_divexact_ui(z, z, 3);
    mf_value_set_mpz(&f.cofactor, z);
    mf_text_result_begin(&b, 13);
    mf_text_result_end(&b, 0, 5, 0, 0, &msgs, 0, 0, 0, 0, 1000, 0.25, &f, 1234567, 999, 0.2);
    ck_assert_int_eq(mf_result_read(&b, &r, NULL), -1); /* a partial number needs somewhere to go */
    ck_assert_int_eq(mf_result_read(&b, &r, &g), 0);
    ck_assert(r.escalated && r.next_p == 1234567 && r.number_candidates == 999);
    ck_assert(!g.complete && g.nfactors == 1 && g.factors[0].u == 3 && mpz_cmp(g.cofactor.z, z) == 0);
    /* cutting at tail leaves a plain result */
    b.len = r.tail;
    mf_buf_put_u8(&b, 0);
    ck_assert_int_eq(mf_result_read(&b, &r, NULL), 0);
    ck_assert(!r.escalated && r.numbers == 0 && r.bytes == 5);
    /* a range result */
    mf_value d[3];
    for (int i = 0; i < 3; i++)
        mf_value_init(&d[i]);
    mf_value_set_u64(&d[0], 101), mf_value_set_u64(&d[1], 101), mf_value_set_u64(&d[2], UINT64_MAX - 2);
    mf_range_result_put(&b, 44, 101, UINT64_MAX - 2, d, 3, 5000, 0.125);
    ck_assert_int_eq(mf_result_read(&b, &r, NULL), 0);
    ck_assert(r.kind == MF_UNIT_RANGE && r.id == 44 && r.lo == 101 && r.hi == UINT64_MAX - 2 && r.ndivisors == 3);
    ck_assert(mf_result_divisor(&r, 0) == 101 && mf_result_divisor(&r, 2) == UINT64_MAX - 2);
    ck_assert(r.candidates == 5000);
    b.len -= 1; /* truncated divisor list */
    ck_assert_int_eq(mf_result_read(&b, &r, NULL), -1);
    const uint64_t plain[] = {7, 7, 1000003};
    mf_range_result_put_u64(&b, 45, 7, 1000003, plain, 3, 77, 0.5);
    ck_assert_int_eq(mf_result_read(&b, &r, NULL), 0);
    ck_assert(r.id == 45 && r.ndivisors == 3 && mf_result_divisor(&r, 1) == 7 && mf_result_divisor(&r, 2) == 1000003);
    /* a number a leader passes up to rank 0, and rank 0's answer */
    uint64_t token, next_p, cand;
    double busy;
    mf_split_request_put(&b, 99, &f, 1234567, 999, 0.2);
    ck_assert_int_eq(mf_split_request_get(&b, &token, &g, &next_p, &cand, &busy), 0);
    ck_assert(token == 99 && next_p == 1234567 && cand == 999 && busy > 0.19 && busy < 0.21);
    ck_assert(!g.complete && g.nfactors == 1 && mpz_cmp(g.cofactor.z, z) == 0);
    for (size_t len = 0; len < b.len; len++) { /* cut short anywhere: refused */
        mf_buf cut;
        mf_buf_init(&cut);
        mf_buf_put(&cut, b.data, len);
        ck_assert_int_eq(mf_split_request_get(&cut, &token, &g, &next_p, &cand, &busy), -1);
        mf_buf_free(&cut);
    }
    f.complete = true;
    mf_split_done_put(&b, 98, &f);
    ck_assert_int_eq(mf_split_done_get(&b, &token, &g), 0);
    ck_assert(token == 98 && g.complete && g.nfactors == 1 && g.factors[0].u == 3);
    ck_assert_int_eq(mf_split_request_get(&b, &token, &g, &next_p, &cand, &busy), -1); /* complete: no request */
    mf_buf_put_u8(&b, 0);
    ck_assert_int_eq(mf_split_done_get(&b, &token, &g), -1); /* trailing bytes */
    f.complete = false;
    /* truncated text results at every length fail cleanly */
    mf_text_result_begin(&b, 13);
    mf_text_result_end(&b, 0, 5, 0, 0, &msgs, 0, 0, 0, 0, 1000, 0.25, &f, 1234567, 999, 0.2);
    size_t full = b.len;
    for (size_t len = 0; len < full; len++) {
        b.len = len;
        ck_assert_int_eq(mf_result_read(&b, &r, &g), -1);
    }
    for (int i = 0; i < 3; i++)
        mf_value_clear(&d[i]);
    mpz_clear(z);
    mf_factored_clear(&f);
    mf_factored_clear(&g);
    mf_buf_free(&msgs);
    mf_buf_free(&b);
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
    a.ranges = 1;
    a.candidates = 12345678901234ull;
    a.bytes_sent = 7;
    a.bytes_received = 8;
    a.parent = 2;
    a.units_served = 44;
    a.service_s = 0.125;
    a.ranges_relayed = 9;
    a.numbers_split = 5;
    a.wasted_candidates = 123456789012ull;
    a.ranges_stopped = 6;
    mf_buf buf;
    mf_buf_init(&buf);
    mf_codec_put_stats(&buf, &a);
    ck_assert_int_eq(mf_codec_get_stats(&buf, &b), 0);
    ck_assert(b.rank == 3 && strcmp(a.host, b.host) == 0 && b.numbers == 10 && b.units == 2 && b.ranges == 1);
    ck_assert(b.candidates == a.candidates && b.bytes_sent == 7 && b.bytes_received == 8);
    ck_assert(b.busy_s > 1.49 && b.busy_s < 1.51 && b.idle_s > 0.24 && b.idle_s < 0.26);
    ck_assert(b.parent == 2 && b.units_served == 44 && b.service_s > 0.124 && b.service_s < 0.126);
    ck_assert(b.ranges_relayed == 9 && b.numbers_split == 5 && b.wasted_candidates == a.wasted_candidates);
    ck_assert(b.ranges_stopped == 6);
    buf.len -= 1;
    buf.pos = 0;
    ck_assert_int_eq(mf_codec_get_stats(&buf, &b), -1);
    mf_buf_free(&buf);
}
END_TEST

Suite *codec_suite(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, value_round_trip);
    tcase_add_test(tc, units_round_trip);
    tcase_add_test(tc, results_round_trip);
    tcase_add_test(tc, stats_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
