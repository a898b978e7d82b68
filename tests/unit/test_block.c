/* Unit tests: a node leader's block result, merged from its units' results in order. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mf_block.h"
#include "test_util.h"

/* A text result with relative lines whose output rank holder keeps: out records, newlines, and one invalid token
   on relative line bad_line. */
static void relative_result(mf_buf *b, uint64_t id, int holder, const char *out, uint64_t bytes, uint64_t newlines,
                            uint64_t bad_line, uint64_t numbers)
{
    mf_buf msgs, held;
    mf_buf_init(&msgs);
    mf_buf_init(&held);
    if (bad_line)
        mf_msg_put_invalid(&msgs, bad_line, (const unsigned char *)"x", 1);
    mf_text_result_begin(b, id);
    mf_buf_put_str(b, out);
    mf_text_result_end(b, 1, bytes, 1, newlines, &msgs, numbers, bad_line != 0, 0, 0, 10 * numbers, 0.25, NULL, 0,
                       0, 0);
    mf_text_result_detach(b, holder, &held);
    mf_buf_free(&msgs);
    mf_buf_free(&held);
}

START_TEST(block_merges_in_order_with_lines_shifted)
{
    mf_block k;
    mf_block_init(&k);
    mf_factored scratch;
    mf_factored_init(&scratch);
    mf_buf b, out, text, held;
    mf_buf_init(&b);
    mf_buf_init(&out);
    mf_buf_init(&text);
    mf_buf_init(&held);
    mf_block_begin(&k, 99, 7); /* a block begun before is dropped */
    relative_result(&b, 1, 5, "4: 2 2\n", 5, 2, 0, 1);
    ck_assert_int_eq(mf_block_add(&k, &b, &scratch), 0);
    mf_block_begin(&k, 42, 1);
    relative_result(&b, 3, 5, "6: 2 3\n", 9, 3, 2, 1);             /* lines 1-3 of the block, 'x' on line 2 */
    ck_assert_int_eq(mf_block_add(&k, &b, &scratch), 0);
    /* a split number's result, held by the leader (rank 4): absolute, its verify message whole */
    mf_buf msgs;
    mf_buf_init(&msgs);
    mf_buf_put_str(&msgs, "mpifactor: check failed\n");
    mf_text_result_begin(&b, 8);
    mf_buf_put_str(&b, "35: 5 7\n");
    mf_text_result_end(&b, 0, 0, 0, 0, &msgs, 1, 0, 1, 0, 5, 0.5, NULL, 0, 0, 0);
    mf_buf tmp = b; /* refused while its output travels with it */
    mf_buf_init(&b);
    mf_buf_put(&b, tmp.data, tmp.len);
    ck_assert_int_eq(mf_block_add(&k, &b, &scratch), -1);
    mf_buf_free(&b);
    b = tmp;
    mf_text_result_detach(&b, 4, &held);
    ck_assert_int_eq(mf_block_add(&k, &b, &scratch), 0);
    relative_result(&b, 4, 6, "9: 3 3\n", 7, 2, 1, 1);             /* lines 4-5, 'x' on line 4 */
    ck_assert_int_eq(mf_block_add(&k, &b, &scratch), 0);
    mf_buf_reset(&b); /* garbage */
    mf_buf_put_u8(&b, 1);
    ck_assert_int_eq(mf_block_add(&k, &b, &scratch), -1);
    mf_piece *pieces;
    size_t n;
    mf_block_finish(&k, 4, &out, &pieces, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert(pieces[0].holder == 5 && pieces[0].id == 3 && pieces[0].len == 7);
    ck_assert(pieces[1].holder == 4 && pieces[1].id == 8 && pieces[1].len == 8);
    ck_assert(pieces[2].holder == 6 && pieces[2].id == 4 && pieces[2].len == 7);
    free(pieces);
    ck_assert_uint_eq(k.npieces, 0);
    mf_result_info r;
    ck_assert_int_eq(mf_result_read(&out, &r, NULL), 0);
    ck_assert(r.kind == MF_UNIT_TEXT && r.id == 42 && r.file == 1 && r.relative && r.held && r.holder == 4);
    ck_assert(!r.escalated);
    ck_assert_uint_eq(r.out_len, 22);
    ck_assert_uint_eq(r.newlines, 5);
    ck_assert_uint_eq(r.bytes, 16);
    ck_assert_uint_eq(r.numbers, 3);
    ck_assert_uint_eq(r.invalid, 2);
    ck_assert_uint_eq(r.verify_failures, 1);
    ck_assert_uint_eq(r.candidates, 25);
    ck_assert(r.busy_s > 0.99 && r.busy_s < 1.01);
    ck_assert_int_eq(mf_msg_render(r.msgs, r.msgs_len, "in.txt", 100, &text), 0);
    const char *want = "mpifactor: in.txt:101: 'x' is not a valid non-negative integer\n"
                       "mpifactor: check failed\n"
                       "mpifactor: in.txt:103: 'x' is not a valid non-negative integer\n";
    ck_assert_msg(text.len == strlen(want) && memcmp(text.data, want, text.len) == 0, "%.*s", (int)text.len,
                  (const char *)text.data);
    mf_buf_free(&msgs);
    mf_buf_free(&b);
    mf_buf_free(&out);
    mf_buf_free(&text);
    mf_buf_free(&held);
    mf_factored_clear(&scratch);
    mf_block_free(&k);
}
END_TEST

Suite *block_suite(void)
{
    Suite *s = suite_create("block");
    TCase *tc = tcase_create("block");
    tcase_add_test(tc, block_merges_in_order_with_lines_shifted);
    suite_add_tcase(s, tc);
    return s;
}
