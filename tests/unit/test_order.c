/* Results in input order: appends, insertions in the middle (handed-back rests), release of the head; the
   table of split numbers that issues ranges head of the line first. */
#include <check.h>

#include "mf_order.h"
#include "mf_unitq.h"
#include "mf_splits.h"
#include "test_util.h"

/* Marks segment id ready with a one-byte result c. */
static void put(mf_order *o, uint64_t id, char c)
{
    mf_buf b;
    mf_buf_init(&b);
    mf_buf_put_u8(&b, (unsigned char)c);
    ck_assert_int_eq(mf_order_put(o, id, &b), 0);
    mf_buf_free(&b);
}

/* Releases every ready head and returns their bytes as a string. */
static void drain(mf_order *o, char *out)
{
    mf_buf *r;
    while ((r = mf_order_ready(o)) != NULL) {
        *out++ = (char)r->data[0];
        mf_order_advance(o);
    }
    *out = '\0';
}

START_TEST(fresh_ids_are_known_in_advance)
{
    /* a node leader names its opening slice before rank 0 has appended it (past the pool's first growth) */
    mf_order o;
    mf_order_init(&o);
    for (uint32_t k = 0; k < 200; k++)
        ck_assert_uint_eq(mf_order_append(&o), mf_order_fresh_id(k));
    mf_order_free(&o);
}
END_TEST

START_TEST(releases_in_order_with_insertions)
{
    mf_order o;
    mf_order_init(&o);
    char got[64];
    uint64_t a = mf_order_append(&o), b = mf_order_append(&o), c = mf_order_append(&o);
    ck_assert_uint_eq(mf_order_live(&o), 3);
    put(&o, c, 'c');
    drain(&o, got);
    ck_assert_str_eq(got, "");
    /* a hands back: its split number and its rest go between a and b */
    uint64_t a1 = mf_order_insert_after(&o, a);
    uint64_t a2 = mf_order_insert_after(&o, a1);
    put(&o, a, 'a');
    drain(&o, got);
    ck_assert_str_eq(got, "a");
    put(&o, a2, 'z'); /* the rest finishes before the split number */
    put(&o, b, 'b');
    drain(&o, got);
    ck_assert_str_eq(got, "");
    ck_assert_int_eq(mf_order_put(&o, b, &(mf_buf){0}), -1); /* already ready */
    put(&o, a1, 'y');
    drain(&o, got);
    ck_assert_str_eq(got, "yzbc");
    ck_assert_uint_eq(mf_order_live(&o), 0);
    ck_assert_uint_eq(mf_order_first(&o), MF_ORDER_NONE);
    /* stale ids are refused after their slot is reused */
    uint64_t d = mf_order_append(&o);
    ck_assert_uint_ne(d, a);
    mf_buf e;
    mf_buf_init(&e);
    ck_assert_int_eq(mf_order_put(&o, a, &e), -1);
    ck_assert_uint_eq(mf_order_insert_after(&o, a), MF_ORDER_NONE);
    ck_assert_int_eq(mf_order_put(&o, MF_ORDER_NONE, &e), -1);
    mf_buf_free(&e);
    mf_order_free(&o);
}
END_TEST

START_TEST(many_segments_random_completion)
{
    /* thousands of segments, insertions at random places, completion in random order: release order must
       be list order */
    mf_order o;
    mf_order_init(&o);
    enum { N = 3000 };
    static uint64_t ids[N];
    static int rank_of[N];
    size_t n = 0;
    for (int i = 0; i < N; i++) {
        if (n > 0 && mf_test_rand() % 3 == 0) {
            uint64_t after = ids[mf_test_rand() % n];
            ids[n++] = mf_order_insert_after(&o, after);
        } else {
            ids[n++] = mf_order_append(&o);
        }
    }
    /* list order: walk it */
    size_t k = 0;
    for (uint64_t id = mf_order_first(&o); id != MF_ORDER_NONE; id = mf_order_next(&o, id), k++)
        for (size_t i = 0; i < n; i++)
            if (ids[i] == id)
                rank_of[i] = (int)k;
    ck_assert_uint_eq(k, N);
    /* complete in a random permutation; every release must come in rank order */
    static size_t perm[N];
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = mf_test_rand() % (i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    int next = 0;
    for (size_t i = 0; i < n; i++) {
        mf_buf b;
        mf_buf_init(&b);
        mf_buf_put_u32(&b, (uint32_t)rank_of[perm[i]]);
        ck_assert_int_eq(mf_order_put(&o, ids[perm[i]], &b), 0);
        mf_buf_free(&b);
        mf_buf *r;
        while ((r = mf_order_ready(&o)) != NULL) {
            r->pos = 0;
            ck_assert_int_eq((int)mf_buf_get_u32(r), next++);
            mf_order_advance(&o);
        }
    }
    ck_assert_int_eq(next, N);
    mf_order_free(&o);
}
END_TEST

/* A partial factorization of n with no factor found yet, cofactor n. */
static void partial_of(mf_factored *f, uint64_t n)
{
    mf_factored_reset(f);
    mf_value_set_u64(&f->n, n);
    f->complete = false;
    mf_value_set_u64(&f->cofactor, n);
}

START_TEST(keys_follow_input_order)
{
    /* keys grow along the list through appends and nested insertions (which renumber them when a gap runs
       out), and a released or stale id has none */
    mf_order o;
    mf_order_init(&o);
    uint64_t ids[400];
    size_t n = 0;
    ids[n++] = mf_order_append(&o);
    ids[n++] = mf_order_append(&o);
    uint64_t at = ids[0];
    for (int i = 0; i < 100; i++) /* each right after the previous one: the gap after ids[0] halves each time */
        ids[n++] = at = mf_order_insert_after(&o, at);
    for (int i = 0; i < 100; i++) /* each right after the first: always the smallest gap */
        ids[n++] = mf_order_insert_after(&o, ids[0]);
    ids[n++] = mf_order_append(&o);
    ck_assert_uint_gt(mf_order_epoch(&o), 0); /* renumbered at least once */
    uint64_t prev = 0;
    size_t count = 0;
    for (uint64_t id = mf_order_first(&o); id != MF_ORDER_NONE; id = mf_order_next(&o, id), count++) {
        uint64_t k = mf_order_key(&o, id);
        ck_assert_uint_gt(k, prev);
        ck_assert_uint_ne(k, UINT64_MAX);
        prev = k;
    }
    ck_assert_uint_eq(count, n);
    ck_assert_uint_eq(mf_order_key(&o, ids[1] ^ (UINT64_C(1) << 32)), UINT64_MAX); /* stale generation */
    mf_buf r;
    mf_buf_init(&r);
    uint64_t first = mf_order_first(&o);
    ck_assert_int_eq(mf_order_put(&o, first, &r), 0);
    mf_order_advance(&o);
    ck_assert_uint_eq(mf_order_key(&o, first), UINT64_MAX); /* released */
    mf_buf_free(&r);
    mf_order_free(&o);
}
END_TEST

START_TEST(splits_many_numbers_nearest_head_first)
{
    /* 300 split numbers started in scrambled order over 600 segments: ranges come from the number nearest
       the head that can issue one, whatever the order they were started in */
    mf_order o;
    mf_order_init(&o);
    mf_splits t;
    mf_splits_init(&t);
    mf_factored f;
    mf_factored_init(&f);
    uint64_t seg[600];
    for (int i = 0; i < 600; i++)
        seg[i] = mf_order_append(&o);
    for (int k = 0; k < 300; k++) {
        int i = 2 * ((k * 7) % 300) + 1; /* odd segments, scrambled */
        partial_of(&f, 1000003ull * 1000033ull + 2 * (uint64_t)i);
        ck_assert_ptr_nonnull(mf_splits_start(&t, &o, seg[i], &f, 3, 0));
    }
    for (int i = 1; i < 600; i += 2) { /* one range each (cap 1), in output order */
        uint64_t id, lo, hi;
        mpz_srcptr cof;
        ck_assert(mf_splits_next_range(&t, &o, &(mf_range_size){1000, 1000, 1}, 1, &id, &lo, &hi, &cof));
        ck_assert(mpz_cmp_ui(cof, 1000003ull * 1000033ull + 2 * (uint64_t)i) == 0);
    }
    uint64_t id, lo, hi;
    mpz_srcptr cof;
    ck_assert(!mf_splits_next_range(&t, &o, &(mf_range_size){1000, 1000, 1}, 1, &id, &lo, &hi, &cof));
    mf_factored_clear(&f);
    mf_splits_free(&t);
    mf_order_free(&o);
}
END_TEST

START_TEST(unit_queue_first_in_first_out)
{
    /* pushes and pops interleaved across growth and wrap-around keep the order; buffers are reused */
    mf_unitq q;
    mf_unitq_init(&q);
    mf_buf out;
    mf_buf_init(&out);
    uint32_t next_in = 0, next_out = 0;
    for (int round = 0; round < 200; round++) {
        int pushes = (int)mf_test_range(0, 5), pops = (int)mf_test_range(0, 5);
        for (int i = 0; i < pushes; i++)
            mf_buf_put_u32(mf_unitq_push(&q), next_in++);
        for (int i = 0; i < pops; i++) {
            bool got = mf_unitq_pop(&q, &out);
            ck_assert(got == (next_out < next_in));
            if (!got)
                break;
            out.pos = 0;
            ck_assert_uint_eq(mf_buf_get_u32(&out), next_out++);
            ck_assert_uint_eq(out.len, 4);
        }
        ck_assert_uint_eq(mf_unitq_len(&q), next_in - next_out);
    }
    mf_buf_free(&out);
    mf_unitq_free(&q);
}
END_TEST

START_TEST(splits_head_of_line_first)
{
    mf_order o;
    mf_order_init(&o);
    mf_splits t;
    mf_splits_init(&t);
    mf_factored f;
    mf_factored_init(&f);
    uint64_t a = mf_order_append(&o), b = mf_order_append(&o), c = mf_order_append(&o);
    (void)b;
    /* started in the order c then a: a is nearer the head, so its ranges go first */
    partial_of(&f, 1000003ull * 1000033ull);
    ck_assert_ptr_nonnull(mf_splits_start(&t, &o, c, &f, 3, 0));
    partial_of(&f, 999983ull * 1000003ull);
    ck_assert_ptr_nonnull(mf_splits_start(&t, &o, a, &f, 3, 0));
    ck_assert_uint_eq(t.live, 2);
    ck_assert_uint_eq(t.started, 2);
    uint64_t id, lo, hi, ids[64], los[64], his[64];
    mpz_srcptr cof;
    ck_assert(mf_splits_next_range(&t, &o, &(mf_range_size){100000, 100000, 1}, 2, &id, &lo, &hi, &cof));
    ck_assert(mpz_cmp_ui(cof, 999983ull * 1000003ull) == 0 && lo == 3);
    ids[0] = id, los[0] = lo, his[0] = hi;
    ck_assert(mf_splits_next_range(&t, &o, &(mf_range_size){100000, 100000, 1}, 2, &ids[1], &los[1], &his[1], &cof));
    ck_assert(mpz_cmp_ui(cof, 999983ull * 1000003ull) == 0 && los[1] == his[0] + 2);
    /* a holds two outstanding ranges (the cap): the next range comes from c */
    ck_assert(mf_splits_next_range(&t, &o, &(mf_range_size){100000, 100000, 1}, 2, &ids[2], &los[2], &his[2], &cof));
    ck_assert(mpz_cmp_ui(cof, 1000003ull * 1000033ull) == 0 && los[2] == 3);
    /* reports: nothing in the first range of a, then its second range has no divisor either */
    const mf_split *done = NULL;
    uint64_t seg;
    ck_assert_int_eq(mf_splits_report(&t, ids[0], los[0], his[0], NULL, 0, 50000, &done, &seg), 0);
    ck_assert_int_eq(mf_splits_report(&t, ids[0], los[0], his[0], NULL, 0, 50000, &done, &seg), -1); /* twice */
    ck_assert_int_eq(mf_splits_report(&t, ids[1] ^ (UINT64_C(1) << 32), los[1], his[1], NULL, 0, 1, &done, &seg),
                     -1); /* stale generation */
    ck_assert_int_eq(mf_splits_report(&t, ids[1], los[1], his[1], NULL, 0, 50000, &done, &seg), 0);
    /* drive a to completion: it reports 999983 in the range that holds it */
    int rc = 0, n = 0;
    while (rc == 0) {
        ck_assert(mf_splits_next_range(&t, &o, &(mf_range_size){100000, 100000, 1}, 2, &id, &lo, &hi, &cof));
        if (mpz_cmp_ui(cof, 999983ull * 1000003ull) != 0) { /* c's turn: leave it outstanding */
            ck_assert_int_lt(++n, 60);
            continue;
        }
        uint64_t d = 999983;
        bool has = lo <= d && d <= hi;
        rc = mf_splits_report(&t, id, lo, hi, has ? &d : NULL, has ? 1 : 0, (hi - lo) / 2 + 1, &done, &seg);
    }
    ck_assert_int_eq(rc, 1);
    ck_assert_uint_eq(seg, a);
    ck_assert(done->result.complete && done->result.nfactors == 2 && done->result.factors[0].u == 999983 &&
              done->result.factors[1].u == 1000003);
    ck_assert_uint_eq(t.live, 1); /* c still runs */
    ck_assert_uint_eq(t.wasted, 0);
    mf_factored_clear(&f);
    mf_splits_free(&t);
    mf_order_free(&o);
}
END_TEST

START_TEST(splits_done_at_once_and_waste)
{
    mf_order o;
    mf_order_init(&o);
    mf_splits t;
    mf_splits_init(&t);
    mf_factored f;
    mf_factored_init(&f);
    uint64_t a = mf_order_append(&o);
    /* p already past the square root: done at once, the slot is free again */
    partial_of(&f, 101);
    const mf_split *sp = mf_splits_start(&t, &o, a, &f, 11, 0);
    ck_assert(sp && mf_split_done(sp) && sp->result.nfactors == 1 && sp->result.factors[0].u == 101);
    ck_assert_uint_eq(t.live, 0);
    /* inconsistent partial: refused */
    partial_of(&f, 101);
    ck_assert_ptr_null(mf_splits_start(&t, &o, a, &f, 4, 0));
    /* 3 * 5 * 1000003^2 style: a factor found in the first range shrinks the limit, so ranges issued
       beyond it are dropped when they report and count as wasted */
    partial_of(&f, 1009ull * 1000003ull);
    ck_assert_ptr_nonnull(mf_splits_start(&t, &o, a, &f, 3, 0));
    uint64_t id[4], lo[4], hi[4];
    mpz_srcptr cof;
    for (int i = 0; i < 4; i++)
        ck_assert(mf_splits_next_range(&t, &o, &(mf_range_size){200, 200, 1}, 0, &id[i], &lo[i], &hi[i], &cof));
    const mf_split *done = NULL;
    uint64_t seg, d = 1009;
    /* 1009 lies in the 3rd range ([803, 1201]); ranges after it and the first two report nothing */
    ck_assert(lo[2] <= d && d <= hi[2]);
    ck_assert_int_eq(mf_splits_report(&t, id[3], lo[3], hi[3], NULL, 0, 200, &done, &seg), 0);
    ck_assert_int_eq(mf_splits_report(&t, id[0], lo[0], hi[0], NULL, 0, 200, &done, &seg), 0);
    ck_assert_int_eq(mf_splits_report(&t, id[1], lo[1], hi[1], NULL, 0, 200, &done, &seg), 0);
    ck_assert_int_eq(mf_splits_report(&t, id[2], lo[2], hi[2], &d, 1, 200, &done, &seg), 1);
    ck_assert(done->result.nfactors == 2 && done->result.factors[1].u == 1000003);
    ck_assert_uint_eq(t.wasted, 200); /* the 4th range was beyond the shrunken limit */
    ck_assert_uint_eq(t.live, 0);
    mf_factored_clear(&f);
    mf_splits_free(&t);
    mf_order_free(&o);
}
END_TEST

Suite *order_suite(void)
{
    Suite *s = suite_create("order");
    TCase *tc = tcase_create("order");
    tcase_add_test(tc, releases_in_order_with_insertions);
    tcase_add_test(tc, fresh_ids_are_known_in_advance);
    tcase_add_test(tc, many_segments_random_completion);
    tcase_add_test(tc, keys_follow_input_order);
    tcase_add_test(tc, splits_many_numbers_nearest_head_first);
    tcase_add_test(tc, unit_queue_first_in_first_out);
    tcase_add_test(tc, splits_head_of_line_first);
    tcase_add_test(tc, splits_done_at_once_and_waste);
    suite_add_tcase(s, tc);
    return s;
}
