/* Unit tests: a leader's pieces of rank 0's ranges tile each range, and their reports merge into one. */
#include <check.h>
#include <stdlib.h>

#include "mf_relay.h"
#include "test_util.h"

/* Divisors in [lo, hi] of c, each as often as it divides a copy of c scanned upward (what a range reports). */
static size_t scan(mpz_srcptr c, uint64_t lo, uint64_t hi, uint64_t *out)
{
    mpz_t x;
    mpz_init_set(x, c);
    size_t n = 0;
    for (uint64_t d = lo; d <= hi; d += 2)
        while (mpz_divisible_ui_p(x, (unsigned long)d)) {
            mpz_divexact_ui(x, x, (unsigned long)d);
            out[n++] = d;
        }
    mpz_clear(x);
    return n;
}

START_TEST(pieces_tile_the_range_and_merge_in_order)
{
    for (int round = 0; round < 200; round++) {
        uint64_t lo = 2 * mf_test_range(1, 500) + 1, hi = lo + 2 * mf_test_range(0, 400);
        uint32_t ways = (uint32_t)mf_test_range(1, 20);
        mpz_t c;
        mpz_init_set_ui(c, 1);
        for (int k = 0; k < 4; k++) /* a few odd factors, some in the range, some repeated */
            mpz_mul_ui(c, c, (unsigned long)(2 * mf_test_range(1, 700) + 1));
        mf_relays t;
        mf_relays_init(&t);
        ck_assert_int_eq(mf_relays_take(&t, 77, c, lo, hi, ways), 0);
        uint64_t count = (hi - lo) / 2 + 1;
        size_t want = count < ways ? (size_t)count : ways;
        uint64_t id[64], plo[64], phi[64];
        size_t n = 0;
        mpz_srcptr pc;
        while (mf_relays_next(&t, NULL, 0, &id[n], &plo[n], &phi[n], &pc)) {
            ck_assert(mpz_cmp(pc, c) == 0);
            ck_assert(plo[n] <= phi[n] && plo[n] % 2 == 1 && phi[n] % 2 == 1);
            ck_assert(n == 0 ? plo[n] == lo : plo[n] == phi[n - 1] + 2); /* no gap, no overlap */
            n++;
        }
        ck_assert(phi[n - 1] == hi);
        ck_assert_uint_eq(n, want); /* `ways` pieces, or one a candidate */
        for (size_t k = 1; k < n; k++) /* of equal widths within one candidate */
            ck_assert(phi[k] - plo[k] <= phi[0] - plo[0] && phi[k] - plo[k] + 2 >= phi[0] - plo[0]);
        ck_assert_uint_eq(mf_relays_waiting(&t), 0);
        /* report in a shuffled order */
        size_t order[64];
        for (size_t k = 0; k < n; k++)
            order[k] = k;
        for (size_t k = n; k > 1; k--) {
            size_t j = (size_t)mf_test_range(0, k - 1), x = order[k - 1];
            order[k - 1] = order[j];
            order[j] = x;
        }
        uint64_t div[256];
        mf_relay_done done;
        for (size_t k = 0; k < n; k++) {
            size_t p = order[k];
            size_t nd = scan(c, plo[p], phi[p], div);
            int rc = mf_relays_report(&t, id[p], plo[p], phi[p], div, nd, (phi[p] - plo[p]) / 2 + 1, 0.5, &done);
            ck_assert_int_eq(rc, k + 1 == n ? 1 : 0);
        }
        /* the merge equals one scan of the whole range piece by piece: every piece's divisors, ascending */
        uint64_t all[256];
        size_t nall = 0;
        for (size_t p = 0; p < n; p++)
            nall += scan(c, plo[p], phi[p], all + nall);
        ck_assert(done.id == 77 && done.lo == lo && done.hi == hi);
        ck_assert_uint_eq(done.ndivisors, nall);
        for (size_t k = 0; k < nall; k++)
            ck_assert(done.divisors[k] == all[k] && (k == 0 || all[k] >= all[k - 1]));
        ck_assert_uint_eq(done.candidates, count);
        ck_assert(done.busy_s > 0.5 * (double)n - 1e-9 && done.busy_s < 0.5 * (double)n + 1e-9);
        ck_assert_uint_eq(t.n, 0); /* dropped once merged */
        free(done.divisors);
        mpz_clear(c);
        mf_relays_free(&t);
    }
}
END_TEST

START_TEST(bad_reports_change_nothing)
{
    mpz_t c;
    mpz_init_set_ui(c, 3 * 5 * 7 * 11 * 13);
    mf_relays t;
    mf_relays_init(&t);
    ck_assert_int_eq(mf_relays_take(&t, 1, c, 4, 9, 2), -1); /* even bounds */
    ck_assert_int_eq(mf_relays_take(&t, 1, c, 9, 3, 2), -1);
    ck_assert_int_eq(mf_relays_take(&t, 1, c, 3, 13, 0), -1);
    ck_assert_int_eq(mf_relays_take(&t, 1, c, 3, 13, 2), 0);  /* 3 5 7 | 9 11 13 */
    ck_assert_int_eq(mf_relays_take(&t, 2, c, 15, 17, 4), 0); /* 15 | 17: two pieces, not four */
    uint64_t id[4], lo[4], hi[4];
    mpz_srcptr pc;
    for (int k = 0; k < 4; k++)
        ck_assert(mf_relays_next(&t, NULL, 0, &id[k], &lo[k], &hi[k], &pc));
    ck_assert(!mf_relays_next(&t, NULL, 0, &id[0], &lo[0], &hi[0], &pc));
    ck_assert(lo[0] == 3 && hi[0] == 7 && lo[1] == 9 && hi[1] == 13 && lo[2] == 15 && hi[2] == 15 && lo[3] == 17);
    mf_relay_done done;
    const uint64_t d[] = {3, 5, 7}, unordered[] = {7, 5}, outside[] = {11};
    ck_assert_int_eq(mf_relays_report(&t, id[0] + 100, 3, 7, d, 3, 3, 0, &done), -1); /* unknown */
    ck_assert_int_eq(mf_relays_report(&t, id[0], 3, 9, d, 3, 3, 0, &done), -1);       /* other bounds */
    ck_assert_int_eq(mf_relays_report(&t, id[0], 3, 7, unordered, 2, 3, 0, &done), -1);
    ck_assert_int_eq(mf_relays_report(&t, id[0], 3, 7, outside, 1, 3, 0, &done), -1);
    ck_assert_int_eq(mf_relays_report(&t, id[3], 17, 17, NULL, 0, 1, 0, &done), 0); /* the second range first */
    ck_assert_int_eq(mf_relays_report(&t, id[0], 3, 7, d, 3, 3, 0, &done), 0);
    ck_assert_int_eq(mf_relays_report(&t, id[0], 3, 7, d, 3, 3, 0, &done), -1); /* twice */
    const uint64_t d2[] = {11, 13};
    ck_assert_int_eq(mf_relays_report(&t, id[1], 9, 13, d2, 2, 3, 0, &done), 1);
    ck_assert(done.id == 1 && done.ndivisors == 5 && done.divisors[0] == 3 && done.divisors[4] == 13);
    free(done.divisors);
    ck_assert_int_eq(mf_relays_report(&t, id[2], 15, 15, NULL, 0, 1, 0, &done), 1);
    ck_assert(done.id == 2 && done.lo == 15 && done.hi == 17 && done.ndivisors == 0 && done.candidates == 2);
    free(done.divisors);
    mf_relays_free(&t);
    mpz_clear(c);
}
END_TEST

START_TEST(no_second_piece_of_a_range_held)
{
    mpz_t c;
    mpz_init_set_ui(c, 1000003);
    mf_relays t;
    mf_relays_init(&t);
    ck_assert_int_eq(mf_relays_take(&t, 1, c, 3, 17, 2), 0);  /* 3 5 7 9 | 11 13 15 17 */
    ck_assert_int_eq(mf_relays_take(&t, 2, c, 19, 25, 2), 0); /* 19 21 | 23 25 */
    uint64_t a, b, x, lo, hi, held[2];
    mpz_srcptr pc;
    ck_assert(mf_relays_next(&t, NULL, 0, &a, &lo, &hi, &pc) && lo == 3);
    held[0] = a;
    /* a rank holding a piece of the first range gets the second range's first piece, not the first's second */
    ck_assert(mf_relays_next(&t, held, 1, &b, &lo, &hi, &pc) && lo == 19 && hi == 21);
    held[1] = b;
    ck_assert(!mf_relays_next(&t, held, 2, &x, &lo, &hi, &pc)); /* one of each held: nothing for it */
    const uint64_t other[] = {b + 1000};                         /* ids of no piece handed out: ignored */
    ck_assert(mf_relays_next(&t, other, 1, &x, &lo, &hi, &pc) && lo == 11 && hi == 17);
    ck_assert(mf_relays_next(&t, held + 1, 1, &x, &lo, &hi, &pc) == false); /* holds the second's: the first is out */
    ck_assert(mf_relays_next(&t, NULL, 0, &x, &lo, &hi, &pc) && lo == 23 && hi == 25);
    ck_assert_int_eq((int)mf_relays_waiting(&t), 0);
    mf_relays_free(&t);
    mpz_clear(c);
}
END_TEST

/* Rank 0 no longer needs a range: pieces not out never go out, the merged report comes once the pieces out
   reported (at once when none is out), and a range not held is refused. */
START_TEST(dropped_range_reports_once_its_pieces_out_did)
{
    mpz_t c;
    mpz_init_set_ui(c, UINT64_C(1000003) * 7);
    mf_relays t;
    mf_relays_init(&t);
    ck_assert_int_eq(mf_relays_take(&t, 5, c, 3, 25, 4), 0);  /* 3 5 7 | 9 11 13 | 15 17 19 | 21 23 25 */
    ck_assert_int_eq(mf_relays_take(&t, 6, c, 27, 33, 2), 0); /* 27 29 | 31 33 */
    uint64_t a, b, x, lo, hi, first, count;
    mpz_srcptr pc;
    ck_assert(mf_relays_next(&t, NULL, 0, &a, &lo, &hi, &pc) && lo == 3);
    ck_assert(mf_relays_next(&t, NULL, 0, &b, &lo, &hi, &pc) && lo == 9);
    mf_relay_done done;
    ck_assert_int_eq(mf_relays_drop(&t, 5, &first, &count, &done), 0); /* two pieces out */
    ck_assert_uint_eq(first, a);
    ck_assert_uint_eq(count, 4);
    ck_assert_uint_eq(mf_relays_waiting(&t), 2); /* the second range's pieces only */
    ck_assert(mf_relays_next(&t, NULL, 0, &x, &lo, &hi, &pc) && lo == 27);
    const uint64_t seven[] = {7};
    ck_assert_int_eq(mf_relays_report(&t, b, 9, 13, NULL, 0, 1, 0.5, &done), 0); /* stopped after one */
    ck_assert_int_eq(mf_relays_report(&t, a, 3, 7, seven, 1, 3, 0.25, &done), 1);
    ck_assert_uint_eq(done.id, 5);
    ck_assert(done.lo == 3 && done.hi == 25);
    ck_assert_uint_eq(done.ndivisors, 1);
    ck_assert_uint_eq(done.divisors[0], 7);
    ck_assert_uint_eq(done.candidates, 4);
    free(done.divisors);
    ck_assert_int_eq(mf_relays_drop(&t, 5, &first, &count, &done), -1); /* reported already */
    /* none of the second range's pieces reported, one out: dropped with nothing out after its report */
    ck_assert_int_eq(mf_relays_report(&t, x, 27, 29, NULL, 0, 2, 0.1, &done), 0);
    ck_assert_int_eq(mf_relays_drop(&t, 6, &first, &count, &done), 1);
    ck_assert_uint_eq(done.id, 6);
    ck_assert_uint_eq(done.candidates, 2);
    ck_assert_uint_eq(done.ndivisors, 0);
    free(done.divisors);
    ck_assert_uint_eq(t.n, 0);
    ck_assert(!mf_relays_next(&t, NULL, 0, &x, &lo, &hi, &pc));
    mf_relays_free(&t);
    mpz_clear(c);
}
END_TEST

Suite *relay_suite(void)
{
    Suite *s = suite_create("relay");
    TCase *tc = tcase_create("relay");
    tcase_add_test(tc, pieces_tile_the_range_and_merge_in_order);
    tcase_add_test(tc, bad_reports_change_nothing);
    tcase_add_test(tc, no_second_piece_of_a_range_held);
    tcase_add_test(tc, dropped_range_reports_once_its_pieces_out_did);
    suite_add_tcase(s, tc);
    return s;
}
