/* The three output formats, complete and incomplete, small and big numbers. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mf_factor.h"
#include "mf_output.h"
#include "test_util.h"

/* Formats the factorization of `number` (bounded by max_divisor) in fmt. */
static void format_number(const char *number, uint64_t max_divisor, mf_format fmt, char *out, size_t outlen)
{
    mpz_t z;
    mpz_init_set_str(z, number, 10);
    mf_value v;
    mf_value_init(&v);
    mf_value_set_mpz(&v, z);
    mf_factored f;
    mf_factored_init(&f);
    mf_factor(&f, &v, max_divisor);
    mf_buf b;
    mf_buf_init(&b);
    mf_output_record(&b, fmt, &f);
    mf_buf_put_u8(&b, 0);
    snprintf(out, outlen, "%s", (char *)b.data);
    mf_buf_free(&b);
    mf_factored_clear(&f);
    mf_value_clear(&v);
    mpz_clear(z);
}

START_TEST(text_like_gnu_factor)
{
    char out[512];
    format_number("0", 0, MF_FORMAT_TEXT, out, sizeof out);
    ck_assert_str_eq(out, "0:\n");
    format_number("1", 0, MF_FORMAT_TEXT, out, sizeof out);
    ck_assert_str_eq(out, "1:\n");
    format_number("360", 0, MF_FORMAT_TEXT, out, sizeof out);
    ck_assert_str_eq(out, "360: 2 2 2 3 3 5\n");
    format_number("18446744073709551617", 0, MF_FORMAT_TEXT, out, sizeof out);
    ck_assert_str_eq(out, "18446744073709551617: 274177 67280421310721\n");
    format_number("6000216000594", 1000, MF_FORMAT_TEXT, out, sizeof out);
    ck_assert_str_eq(out, "6000216000594: 2 3 unfactored:1000036000099\n");
}
END_TEST

START_TEST(jsonl_and_csv)
{
    char out[512];
    format_number("12", 0, MF_FORMAT_JSONL, out, sizeof out);
    ck_assert_str_eq(out, "{\"number\":\"12\",\"factors\":[\"2\",\"2\",\"3\"],\"complete\":true}\n");
    format_number("1", 0, MF_FORMAT_JSONL, out, sizeof out);
    ck_assert_str_eq(out, "{\"number\":\"1\",\"factors\":[],\"complete\":true}\n");
    format_number("6000216000594", 1000, MF_FORMAT_JSONL, out, sizeof out);
    ck_assert_str_eq(out, "{\"number\":\"6000216000594\",\"factors\":[\"2\",\"3\"],\"complete\":false,"
                          "\"cofactor\":\"1000036000099\"}\n");
    format_number("12", 0, MF_FORMAT_CSV, out, sizeof out);
    ck_assert_str_eq(out, "12,2 2 3,true,\n");
    format_number("0", 0, MF_FORMAT_CSV, out, sizeof out);
    ck_assert_str_eq(out, "0,,true,\n");
    format_number("6000216000594", 1000, MF_FORMAT_CSV, out, sizeof out);
    ck_assert_str_eq(out, "6000216000594,2 3,false,1000036000099\n");
    mf_buf b;
    mf_buf_init(&b);
    mf_output_header(&b, MF_FORMAT_CSV);
    ck_assert(b.len > 0 && memcmp(b.data, "number,factors,complete,cofactor\n", b.len) == 0);
    mf_buf_reset(&b);
    mf_output_header(&b, MF_FORMAT_TEXT);
    mf_output_header(&b, MF_FORMAT_JSONL);
    ck_assert_uint_eq(b.len, 0);
    mf_buf_free(&b);
    mf_format fmt;
    ck_assert_int_eq(mf_format_parse("csv", &fmt), 0);
    ck_assert_int_eq(fmt, MF_FORMAT_CSV);
    ck_assert_int_eq(mf_format_parse("xml", &fmt), -1);
}
END_TEST

START_TEST(decimal_writer)
{
    mf_buf b;
    mf_buf_init(&b);
    uint64_t vals[] = {0, 9, 10, 99, 100, 1234567890123456789ull, UINT64_MAX};
    const char *want = "0 9 10 99 100 1234567890123456789 18446744073709551615 ";
    for (size_t i = 0; i < 7; i++) {
        mf_buf_put_dec(&b, vals[i]);
        mf_buf_put_u8(&b, ' ');
    }
    mf_buf_put_u8(&b, 0);
    ck_assert_str_eq((char *)b.data, want);
    mf_buf_free(&b);
}
END_TEST

START_TEST(text_record_every_digit_count)
{
    /* the text fast path (a complete factorization below 2^64) writes each value's digits in place: every
       digit count's borders (10^k - 1, 10^k, 10^k + 1), 2^32 - 1 .. 2^32 + 1, 2^64 - 1 and random values
       against printf; the values need not be a true factorization for the writer */
    uint64_t vals[80];
    size_t nv = 0;
    vals[nv++] = 0;
    for (uint64_t p = 10, k = 1; k <= 19; k++, p *= 10) {
        vals[nv++] = p - 1;
        vals[nv++] = p;
        vals[nv++] = p + 1;
    }
    vals[nv++] = UINT32_MAX;
    vals[nv++] = (uint64_t)UINT32_MAX + 1;
    vals[nv++] = (uint64_t)UINT32_MAX + 2;
    vals[nv++] = UINT64_MAX;
    vals[nv++] = UINT64_MAX - 1;
    while (nv < sizeof vals / sizeof vals[0])
        vals[nv++] = mf_test_rand() >> mf_test_range(0, 63);
    mf_factored f;
    mf_factored_init(&f);
    mf_buf b;
    mf_buf_init(&b);
    for (size_t i = 0; i < nv; i++) {
        mf_factored_reset(&f);
        mf_value_set_u64(&f.n, vals[i]);
        mf_factored_push_u64(&f, vals[(i + 1) % nv]);
        mf_factored_push_u64(&f, vals[i]);
        mf_buf_reset(&b);
        mf_output_record(&b, MF_FORMAT_TEXT, &f);
        mf_buf_put_u8(&b, 0);
        char want[80];
        snprintf(want, sizeof want, "%llu: %llu %llu\n", (unsigned long long)vals[i],
                 (unsigned long long)vals[(i + 1) % nv], (unsigned long long)vals[i]);
        ck_assert_str_eq((char *)b.data, want);
    }
    mf_buf_free(&b);
    mf_factored_clear(&f);
}
END_TEST

Suite *output_suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("output");
    tcase_add_test(tc, text_like_gnu_factor);
    tcase_add_test(tc, jsonl_and_csv);
    tcase_add_test(tc, decimal_writer);
    tcase_add_test(tc, text_record_every_digit_count);
    suite_add_tcase(s, tc);
    return s;
}
