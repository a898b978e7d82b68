/* Work units end to end without MPI: text units formatted like the reference, bad tokens with file:line,
   hand-back of a long unit with its number split into ranges, and range units against a slow scan. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mf_codec.h"
#include "mf_input.h"
#include "mf_runner.h"
#include "mf_split.h"
#include "test_util.h"

static const char *const paths[] = {"first.txt", "second.txt"};

/* Runs the encoded unit in *unit to completion with small slices. */
static void run_unit(mf_runner *r, mf_buf *unit)
{
    ck_assert_int_eq(mf_runner_load(r, unit), 0);
    int guard = 0;
    while (!mf_runner_step(r, 1u << 14))
        ck_assert_int_lt(++guard, 100000000);
}

/* Loads text as text unit `id` (file 0, line 1) into r, through unit. */
static void load_text(mf_runner *r, mf_buf *unit, uint64_t id, const char *text)
{
    mf_text_unit_begin(unit, id, 0, 1, 0);
    mf_buf_put_str(unit, text);
    ck_assert_int_eq(mf_runner_load(r, unit), 0);
}

/* The reference output of every valid token of text, one number at a time. */
static void reference(mf_buf *out, const char *text, mf_format fmt)
{
    mf_scan s;
    mf_scan_init(&s, (const unsigned char *)text, strlen(text), 1, 0);
    const unsigned char *tok;
    size_t len;
    uint64_t line;
    mf_value v;
    mf_value_init(&v);
    mf_factored f;
    mf_factored_init(&f);
    mpz_t scratch;
    mpz_init(scratch);
    while (mf_scan_next(&s, &tok, &len, &line))
        if (mf_parse_token(tok, len, &v, scratch)) {
            mf_factor(&f, &v, 0);
            mf_output_record(out, fmt, &f);
        }
    mpz_clear(scratch);
    mf_factored_clear(&f);
    mf_value_clear(&v);
}

START_TEST(text_unit_like_reference)
{
    const char *text = "12 007 +5\r\n# comment 99\nabc 18446744073709551617 -3 0 1\n"
                       "340282366920938463463374607431768211455 # 2^128-1\n4294967291\t1000000000000000000000000\n";
    mf_runner_opts opts = {.format = MF_FORMAT_TEXT, .verify = true, .paths = paths, .npaths = 2};
    mf_runner r;
    mf_runner_init(&r, &opts);
    mf_buf unit, expect;
    mf_buf_init(&unit);
    mf_buf_init(&expect);
    mf_text_unit_begin(&unit, 9, 1, 40, 0);
    mf_buf_put_str(&unit, text);
    run_unit(&r, &unit);
    reference(&expect, text, MF_FORMAT_TEXT);
    mf_result_info info;
    ck_assert_int_eq(mf_result_read(&r.result, &info, NULL), 0);
    ck_assert(info.id == 9 && info.file == 1 && info.numbers == 9 && info.invalid == 2);
    ck_assert(!info.escalated && info.verify_failures == 0 && info.unfactored == 0 &&
              info.bytes == strlen(text));
    ck_assert_uint_eq(info.out_len, expect.len);
    ck_assert(memcmp(info.out, expect.data, expect.len) == 0);
    const char *msgs = "mpifactor: second.txt:42: 'abc' is not a valid non-negative integer\n"
                       "mpifactor: second.txt:42: '-3' is not a valid non-negative integer\n";
    ck_assert_uint_eq(info.msgs_len, strlen(msgs));
    ck_assert(memcmp(info.msgs, msgs, info.msgs_len) == 0);
    /* a slice that starts inside a comment skips to the next line */
    mf_text_unit_begin(&unit, 10, 0, 7, 1);
    mf_buf_put_str(&unit, " 12 x\n15 y");
    run_unit(&r, &unit);
    ck_assert_int_eq(mf_result_read(&r.result, &info, NULL), 0);
    ck_assert(info.numbers == 1 && info.invalid == 1 && memcmp(info.out, "15: 3 5\n", info.out_len) == 0);
    ck_assert(strncmp((const char *)info.msgs, "mpifactor: first.txt:8: 'y' is not", 34) == 0);
    mf_buf_free(&unit);
    mf_buf_free(&expect);
    mf_runner_free(&r);
}
END_TEST

/* Divisors of c in [lo, hi] by a slow scan of a copy, as a range unit must report them. */
static size_t slow_scan(uint64_t *out, mpz_srcptr c, uint64_t lo, uint64_t hi)
{
    mpz_t copy;
    mpz_init_set(copy, c);
    size_t n = 0;
    for (uint64_t p = lo; p <= hi && n < 64; p += 2)
        while (mpz_divisible_ui_p(copy, p)) {
            mpz_divexact_ui(copy, copy, p);
            out[n++] = p;
        }
    mpz_clear(copy);
    return n;
}

START_TEST(bounded_unit_counts_unfactored)
{
    /* 6000216000594 = 2 * 3 * 1000036000099 (a product of two primes above 1000): 221 and 97 complete */
    const char *text = "6000216000594 221\n340282366920938463463374607431768211457 97\n";
    mf_runner_opts opts = {.max_divisor = 1000, .format = MF_FORMAT_TEXT, .paths = paths, .npaths = 2};
    mf_runner r;
    mf_runner_init(&r, &opts);
    mf_buf unit;
    mf_buf_init(&unit);
    mf_text_unit_begin(&unit, 3, 0, 1, 0);
    mf_buf_put_str(&unit, text);
    run_unit(&r, &unit);
    mf_result_info info;
    ck_assert_int_eq(mf_result_read(&r.result, &info, NULL), 0);
    ck_assert(info.numbers == 4 && info.unfactored == 2 && info.invalid == 0);
    mf_buf_free(&unit);
    mf_runner_free(&r);
}
END_TEST

START_TEST(range_unit_reports_its_divisors)
{
    mf_runner_opts opts = {.format = MF_FORMAT_TEXT, .paths = paths, .npaths = 0};
    mf_runner r;
    mf_runner_init(&r, &opts);
    mf_buf unit;
    mf_buf_init(&unit);
    mf_value c;
    mf_value_init(&c);
    mpz_t z;
    mpz_init(z);
    /* 11 * 13 * 101^2 * 1009: a range from 101 sees 101 twice, 143 (composite, its factors below lo),
       and stops early once p^2 passes what is left of its copy */
    const uint64_t cases[][3] = {{11ull * 13 * 101 * 101 * 1009, 101, 2001}, {11ull * 13 * 101 * 101 * 1009, 3, 99},
                                 {4294967291ull * 4294967279ull, 4294967001ull, 4294967291ull},
                                 {4294967291ull * 4294967279ull, 3, 4001}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mf_value_set_u64(&c, cases[k][0]);
        mf_range_unit_put(&unit, 7, &c, cases[k][1], cases[k][2]);
        run_unit(&r, &unit);
        mf_result_info info;
        ck_assert_int_eq(mf_result_read(&r.result, &info, NULL), 0);
        ck_assert(info.kind == MF_UNIT_RANGE && info.lo == cases[k][1] && info.hi == cases[k][2]);
        uint64_t want[64];
        mpz_set_ui(z, cases[k][0]);
        size_t n = slow_scan(want, z, cases[k][1], cases[k][2]);
        /* the runner may stop early: what it reports is a prefix of the slow scan holding every prime
           divisor of the range */
        ck_assert_uint_le(info.ndivisors, n);
        for (size_t i = 0; i < info.ndivisors; i++)
            ck_assert_uint_eq(mf_result_divisor(&info, i), want[i]);
    }
    mpz_clear(z);
    mf_value_clear(&c);
    mf_buf_free(&unit);
    mf_runner_free(&r);
}
END_TEST

/* A range unit dropped (its number is done) ends at its next step, running or loaded later; a text unit or
   another id is not touched. */
START_TEST(dropped_range_ends_at_once)
{
    mf_runner_opts opts = {.format = MF_FORMAT_TEXT, .paths = paths, .npaths = 0, .yieldable = true};
    mf_runner r;
    mf_runner_init(&r, &opts);
    mf_buf unit;
    mf_buf_init(&unit);
    mf_value c;
    mf_value_init(&c);
    mf_value_set_u64(&c, 4294967291ull * 4294967279ull); /* no divisor below 4294967279: a long scan */
    mf_range_unit_put(&unit, 41, &c, 3, 2000000001);
    ck_assert_int_eq(mf_runner_load(&r, &unit), 0);
    ck_assert(!mf_runner_step(&r, 1000));
    uint64_t tested = r.job.candidates;
    ck_assert(!mf_runner_drop(&r, 40)); /* another number's */
    ck_assert(!mf_runner_step(&r, 1000));
    ck_assert(mf_runner_drop(&r, 41));
    ck_assert(mf_runner_step(&r, 1000)); /* ends without testing more */
    mf_result_info info;
    ck_assert_int_eq(mf_result_read(&r.result, &info, NULL), 0);
    ck_assert(info.kind == MF_UNIT_RANGE && info.id == 41 && info.lo == 3 && info.hi == 2000000001);
    ck_assert_uint_eq(info.ndivisors, 0);
    ck_assert_uint_ge(info.candidates, 2 * tested);
    ck_assert_uint_lt(info.candidates, 10000);
    /* dropped before it is loaded: it ends at its first step, having tested nothing */
    mf_range_unit_put(&unit, 40, &c, 3, 2000000001);
    ck_assert_int_eq(mf_runner_load(&r, &unit), 0);
    ck_assert(mf_runner_step(&r, 1000));
    ck_assert_int_eq(mf_result_read(&r.result, &info, NULL), 0);
    ck_assert(info.id == 40 && info.candidates == 0);
    /* a range of a number not dropped runs on */
    mf_range_unit_put(&unit, 42, &c, 3, 2000000001);
    ck_assert_int_eq(mf_runner_load(&r, &unit), 0);
    ck_assert(!mf_runner_step(&r, 1000));
    ck_assert(!r.drop_now);
    /* a text unit is never dropped */
    load_text(&r, &unit, 41, "15\n");
    ck_assert(!mf_runner_drop(&r, 41));
    int guard = 0;
    while (!mf_runner_step(&r, 1u << 14))
        ck_assert_int_lt(++guard, 1000);
    mf_value_clear(&c);
    mf_buf_free(&unit);
    mf_runner_free(&r);
}
END_TEST

/* Completes a split number by running its ranges through a runner in a random order of reports. */
static void finish_split(mf_runner *r, mf_split *s)
{
    mf_buf unit;
    mf_buf_init(&unit);
    mf_value c;
    mf_value_init(&c);
    uint64_t los[8], his[8];
    mf_buf results[8];
    for (int i = 0; i < 8; i++)
        mf_buf_init(&results[i]);
    while (!mf_split_done(s)) {
        int n = 0;
        while (n < 8 && mf_split_next_range(s, 1u << 16, 8, &los[n], &his[n]))
            n++;
        ck_assert_int_gt(n, 0);
        mf_value_set_mpz(&c, s->cofactor);
        for (int i = 0; i < n; i++) {
            mf_range_unit_put(&unit, (uint64_t)i, &c, los[i], his[i]);
            run_unit(r, &unit);
            mf_buf tmp = results[i];
            results[i] = r->result;
            r->result = tmp;
        }
        for (int k = n - 1; k >= 0; k--) { /* reports arrive in reverse */
            mf_result_info info;
            ck_assert_int_eq(mf_result_read(&results[k], &info, NULL), 0);
            uint64_t d[64];
            for (size_t i = 0; i < info.ndivisors && i < 64; i++)
                d[i] = mf_result_divisor(&info, i);
            ck_assert_int_eq(mf_split_report(s, info.lo, info.hi, d, info.ndivisors, info.candidates), 0);
        }
    }
    for (int i = 0; i < 8; i++)
        mf_buf_free(&results[i]);
    mf_value_clear(&c);
    mf_buf_free(&unit);
}

START_TEST(hand_back_and_split)
{
    /* hard numbers: a unit asked to yield after each slice cuts off its rest at once (the unit goes on), then,
       holding no rest, splits its number; the pieces put back together equal the reference */
    const char *text = "281474641166387 25 4294967291\n281473869415489 # p*q, p^2\n"
                       "844421608243767 340282366920938463463374607431768211455 16777213\n";
    mf_runner_opts opts = {.format = MF_FORMAT_TEXT, .yieldable = true, .paths = paths, .npaths = 1};
    mf_runner r, ranges;
    mf_runner_init(&r, &opts);
    opts.yieldable = false;
    mf_runner_init(&ranges, &opts);
    mf_buf unit, expect, got;
    mf_buf_init(&unit);
    mf_buf_init(&expect);
    mf_buf_init(&got);
    reference(&expect, text, MF_FORMAT_TEXT);
    mf_factored partial;
    mf_factored_init(&partial);
    mf_split split;
    mf_split_init(&split);
    mf_text_unit_begin(&unit, 1, 0, 1, 0);
    mf_buf_put_str(&unit, text);
    int handbacks = 0, splits = 0;
    for (;;) {
        size_t slice_len = unit.len - 22; /* the text after the unit header */
        ck_assert_int_eq(mf_runner_load(&r, &unit), 0);
        uint64_t unit_id = r.u.id;
        int guard = 0;
        mf_buf rest;
        mf_buf_init(&rest);
        bool have_rest = false;
        for (;;) {
            bool finished = mf_runner_step(&r, 1u << 14);
            if (mf_runner_take_rest(&r, &rest)) {
                ck_assert(!have_rest); /* one cut: nothing is left after it */
                have_rest = true;
            }
            if (finished)
                break;
            mf_runner_yield(&r, unit_id, 1);
            ck_assert_int_lt(++guard, 100000000);
        }
        mf_result_info info;
        ck_assert_int_eq(mf_result_read(&r.result, &info, &partial), 0);
        ck_assert(!have_rest || info.bytes == r.u.len); /* the rest went back at once, cut off the unit */
        mf_buf_put(&got, info.out, info.out_len);
        if (info.escalated) {
            splits++;
            ck_assert(!partial.complete && info.next_p >= 3 && info.next_p % 2 == 1);
            ck_assert_int_eq(mf_split_start(&split, &partial, info.next_p, 0), 0);
            finish_split(&ranges, &split);
            mf_output_record(&got, MF_FORMAT_TEXT, &split.result);
        }
        if (!have_rest) {
            mf_buf_free(&rest);
            break;
        }
        handbacks++;
        mf_unit u;
        mf_value c;
        mf_value_init(&c);
        mf_buf copy;
        mf_buf_init(&copy);
        mf_buf_put(&copy, rest.data, rest.len);
        ck_assert_int_eq(mf_unit_read(&copy, &u, &c), 0);
        ck_assert(u.kind == MF_UNIT_TEXT && u.id == unit_id);
        ck_assert_uint_eq(info.bytes + u.len, slice_len); /* nothing lost, nothing repeated */
        mf_buf_free(&copy);
        mf_value_clear(&c);
        mf_buf_free(&unit);
        unit = rest;
    }
    ck_assert_int_gt(handbacks + splits, 0);
    ck_assert_uint_eq(got.len, expect.len);
    ck_assert(memcmp(got.data, expect.data, got.len) == 0);
    mf_split_free(&split);
    mf_factored_clear(&partial);
    mf_buf_free(&unit);
    mf_buf_free(&expect);
    mf_buf_free(&got);
    mf_runner_free(&r);
    mf_runner_free(&ranges);
}
END_TEST

START_TEST(tiny_budget_stays_tiny)
{
    /* a budget below a token's charge (16) still starts the number but tests a candidate or so, not the rest
       of the number (4611686014132420609 = (2^31 - 1)^2 needs 10^9) */
    const char *text = "4611686014132420609\n";
    mf_runner_opts opts = {.format = MF_FORMAT_TEXT, .paths = paths, .npaths = 1};
    mf_runner r;
    mf_runner_init(&r, &opts);
    mf_buf unit;
    mf_buf_init(&unit);
    mf_text_unit_begin(&unit, 3, 0, 1, 0);
    mf_buf_put_str(&unit, text);
    ck_assert_int_eq(mf_runner_load(&r, &unit), 0);
    for (int i = 0; i < 100; i++)
        ck_assert(!mf_runner_step(&r, 1));
    ck_assert(r.in_number && r.job.candidates < 1000);
    mf_buf_free(&unit);
    mf_runner_free(&r);
}
END_TEST

START_TEST(yield_hands_back_at_once)
{
    /* a unit asked to yield hands back at the end of its next slice, long before its budget: the number in
       progress comes back suspended with the rest of the slice; requests for another unit, a range unit or
       a runner that never hands back do nothing, and no unit hands back unasked however long it runs */
    const char *text = "4611686014132420609 15\n";
    mf_runner_opts opts = {.format = MF_FORMAT_TEXT, .yieldable = true, .paths = paths, .npaths = 1};
    mf_runner r;
    mf_runner_init(&r, &opts);
    mf_buf unit;
    mf_buf_init(&unit);
    load_text(&r, &unit, 7, text);
    for (int i = 0; i < 2000; i++) /* 2 million candidates unasked: it goes on (2^31 - 1 squared needs 10^9) */
        ck_assert(!mf_runner_step(&r, 1000));
    ck_assert(!mf_runner_yield(&r, 8, 1)); /* not this unit */
    ck_assert(!mf_runner_step(&r, 1000));
    mf_buf rest;
    mf_buf_init(&rest);
    ck_assert(!mf_runner_take_rest(&r, &rest));
    ck_assert(mf_runner_yield(&r, 7, 1));
    ck_assert(!mf_runner_step(&r, 1u << 20)); /* first the rest, cut off at once; the square goes on */
    ck_assert(mf_runner_take_rest(&r, &rest));
    ck_assert(rest.len == 22 + 3 && memcmp(rest.data + 22, "15\n", 3) == 0);
    ck_assert(!mf_runner_take_rest(&r, &rest));
    ck_assert(mf_runner_yield(&r, 7, 1)); /* asked again, with no rest: the number is split */
    ck_assert(mf_runner_step(&r, 1u << 20));
    mf_buf_free(&rest);
    mf_result_info info;
    mf_factored partial;
    mf_factored_init(&partial);
    ck_assert_int_eq(mf_result_read(&r.result, &info, &partial), 0);
    ck_assert(info.escalated && info.numbers == 0);
    ck_assert(info.next_p > 3 && !partial.complete);
    ck_assert(!mf_runner_yield(&r, 7, 1)); /* finished */
    mf_runner_free(&r);
    opts.yieldable = false; /* -np 1: never */
    mf_runner_init(&r, &opts);
    load_text(&r, &unit, 7, text);
    ck_assert(!mf_runner_yield(&r, 7, 1));
    mf_factored_clear(&partial);
    mf_buf_free(&unit);
    mf_runner_free(&r);
}
END_TEST

START_TEST(split_lapses_when_too_little_is_left)
{
    /* a number with fewer candidates left than the split asks for is not split (that would only move it):
       the request lapses and the unit finishes the number itself; asked with a smaller least, it splits */
    const char *text = "4611686014132420609\n"; /* (2^31 - 1)^2: about 1.07e9 candidates */
    mf_runner_opts opts = {.format = MF_FORMAT_TEXT, .yieldable = true, .paths = paths, .npaths = 1};
    mf_runner r;
    mf_runner_init(&r, &opts);
    mf_buf unit;
    mf_buf_init(&unit);
    load_text(&r, &unit, 5, text);
    ck_assert(!mf_runner_step(&r, 1000));
    ck_assert_uint_eq(mf_split_least_merge(0, 0), 0); /* two requests: the smaller nonzero least */
    ck_assert_uint_eq(mf_split_least_merge(0, 9), 9);
    ck_assert_uint_eq(mf_split_least_merge(9, 0), 9);
    ck_assert_uint_eq(mf_split_least_merge(9, 4), 4);
    ck_assert_uint_eq(mf_split_least_merge(4, 9), 4);
    ck_assert(mf_runner_yield(&r, 5, UINT64_C(2000000000)));
    ck_assert(!mf_runner_step(&r, 1000)); /* lapsed: the unit goes on */
    ck_assert(!r.yield_asked);
    ck_assert(mf_runner_yield(&r, 5, UINT64_C(1000000000)));
    ck_assert(mf_runner_step(&r, 1000)); /* 1.07e9 left: split */
    mf_result_info info;
    mf_factored partial;
    mf_factored_init(&partial);
    ck_assert_int_eq(mf_result_read(&r.result, &info, &partial), 0);
    ck_assert(info.escalated && info.numbers == 0);
    mf_factored_clear(&partial);
    mf_buf_free(&unit);
    mf_runner_free(&r);
}
END_TEST

START_TEST(yield_rest_keeps_the_number)
{
    /* asked for its rest only (no split), a unit cuts off the numbers it has not started and finishes the one
       in progress itself (never suspended: no candidate at risk); with no rest, the request changes nothing */
    const char *text = "4611686014132420609 15 21\n";
    mf_runner_opts opts = {.format = MF_FORMAT_TEXT, .yieldable = true, .paths = paths, .npaths = 1};
    mf_runner r;
    mf_runner_init(&r, &opts);
    mf_buf unit, rest;
    mf_buf_init(&unit);
    mf_buf_init(&rest);
    load_text(&r, &unit, 9, text);
    ck_assert(!mf_runner_step(&r, 1000));
    ck_assert(mf_runner_yield(&r, 9, 0));
    int guard = 0;
    while (!mf_runner_step(&r, 1u << 20))
        ck_assert_int_lt(++guard, 1000000);
    ck_assert(mf_runner_take_rest(&r, &rest));
    ck_assert(rest.len == 22 + 6 && memcmp(rest.data + 22, "15 21\n", 6) == 0);
    mf_result_info info;
    mf_factored partial;
    mf_factored_init(&partial);
    ck_assert_int_eq(mf_result_read(&r.result, &info, &partial), 0);
    ck_assert(!info.escalated && info.numbers == 1);
    ck_assert(info.out_len > 0 && memcmp(info.out, "4611686014132420609: 2147483647 2147483647\n", info.out_len) == 0);
    load_text(&r, &unit, 10, "15 4611686014132420609\n");
    ck_assert(!mf_runner_step(&r, 1000)); /* 15 done, the square in progress */
    ck_assert(mf_runner_yield(&r, 10, 0));
    guard = 0;
    while (!mf_runner_step(&r, 1u << 20))
        ck_assert_int_lt(++guard, 1000000);
    ck_assert(!mf_runner_take_rest(&r, &rest));
    ck_assert_int_eq(mf_result_read(&r.result, &info, &partial), 0);
    ck_assert(!info.escalated && info.numbers == 2);
    mf_factored_clear(&partial);
    mf_buf_free(&unit);
    mf_buf_free(&rest);
    mf_runner_free(&r);
}
END_TEST

START_TEST(yield_hands_back_the_back_half)
{
    /* asked for its rest, a unit keeps the front half of what it has not started and hands back the back half,
       cut at a line start (its line number and comment state carried): the asker gets a share, not all */
    const char *text = "4611686014132420609\n15\n21\n33\n35\n# c\n39\n";
    mf_runner_opts opts = {.format = MF_FORMAT_TEXT, .yieldable = true, .paths = paths, .npaths = 1};
    mf_runner r;
    mf_runner_init(&r, &opts);
    mf_buf unit, rest;
    mf_buf_init(&unit);
    mf_buf_init(&rest);
    load_text(&r, &unit, 11, text);
    ck_assert(!mf_runner_step(&r, 1000)); /* the square in progress */
    ck_assert(mf_runner_yield(&r, 11, 0));
    int guard = 0;
    while (!mf_runner_step(&r, 1u << 20))
        ck_assert_int_lt(++guard, 1000000);
    ck_assert(mf_runner_take_rest(&r, &rest));
    mf_unit u;
    mf_value c;
    mf_value_init(&c);
    ck_assert_int_eq(mf_unit_read(&rest, &u, &c), 0);
    ck_assert(u.kind == MF_UNIT_TEXT && u.id == 11 && u.line == 6 && !u.in_comment);
    ck_assert(u.len == 7 && memcmp(u.text, "# c\n39\n", 7) == 0);
    mf_result_info info;
    mf_factored partial;
    mf_factored_init(&partial);
    ck_assert_int_eq(mf_result_read(&r.result, &info, &partial), 0);
    ck_assert(!info.escalated && info.numbers == 5 && info.bytes == strlen(text) - 7);
    mf_value_clear(&c);
    mf_factored_clear(&partial);
    mf_buf_free(&unit);
    mf_buf_free(&rest);
    mf_runner_free(&r);
}
END_TEST

Suite *runner_suite(void)
{
    Suite *s = suite_create("runner");
    TCase *tc = tcase_create("runner");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, text_unit_like_reference);
    tcase_add_test(tc, bounded_unit_counts_unfactored);
    tcase_add_test(tc, range_unit_reports_its_divisors);
    tcase_add_test(tc, dropped_range_ends_at_once);
    tcase_add_test(tc, hand_back_and_split);
    tcase_add_test(tc, tiny_budget_stays_tiny);
    tcase_add_test(tc, yield_hands_back_at_once);
    tcase_add_test(tc, split_lapses_when_too_little_is_left);
    tcase_add_test(tc, yield_rest_keeps_the_number);
    tcase_add_test(tc, yield_hands_back_the_back_half);
    suite_add_tcase(s, tc);
    return s;
}
