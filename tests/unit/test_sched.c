/* Unit sizing: adaptive to the cost per byte, bounded, shrinking near the end; range widths; the window. */
#include <check.h>

#include "mf_flights.h"
#include "mf_sched.h"
#include "test_util.h"

START_TEST(adapts_to_cost)
{
    mf_sched s;
    mf_sched_init(&s, 4, 0);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), MF_SCHED_FIRST_BYTES); /* small before any cost is known */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 1e9), MF_SCHED_FIRST_BYTES);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 800), 100);  /* a small input spread over the 4 ranks */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 40), 5);    /* 40 bytes over 8 units, then one line each */
    mf_sched_observe(&s, 100000, 100000 * 1e-9); /* cheap numbers: the biggest units */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), MF_SCHED_MAX_BYTES);
    mf_sched_init(&s, 4, 0);
    mf_sched_observe(&s, 200, 0.1); /* 0.5 ms per byte: 100 bytes make 50 ms */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 100);
    mf_sched_init(&s, 4, 0);
    mf_sched_observe(&s, 20, 3.0); /* very costly: one line per unit (the slicer's least) */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 1);
    mf_sched_observe(&s, 0, 1.0); /* ignored */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 1);
    /* smoothing: one cheap unit after costly ones does not jump to the maximum */
    mf_sched_init(&s, 4, 0);
    mf_sched_observe(&s, 100, 0.05);
    mf_sched_observe(&s, 100, 0.0);
    size_t b = mf_sched_next_bytes(&s, -1);
    ck_assert(b > 100 && b < 1000);
}
END_TEST

START_TEST(first_units_from_the_worst_case)
{
    /* before any cost is measured: as many lines as fit the target at sqrt(n) / 2 candidates each */
    mf_sched s;
    mf_sched_init(&s, 256, 0);
    mf_sched_observe_lines(&s, 18); /* 17-digit numbers: 1.6e8 candidates at worst, 0.32 s: one line */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 18);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 1e9), 18);
    mf_sched_observe_lines(&s, 14); /* 13 digits: 3.2 ms at worst, 15 lines */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 15 * 14);
    mf_sched_observe_lines(&s, 8); /* 7 digits (coreutils' t00): thousands of lines, capped */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), MF_SCHED_FIRST_MAX_BYTES);
    mf_sched_observe_lines(&s, 200); /* huge numbers: one line */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 200);
    mf_sched_observe_lines(&s, 0.5); /* not a line length: ignored */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 200);
    mf_sched_observe_candidates(&s, 1000000, 1e-3); /* measured 1 ns per candidate: used for the worst case */
    mf_sched_observe_lines(&s, 14);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 31 * 14);
    mf_sched_observe(&s, 1000, 1e-3); /* once a unit's cost is known, that decides */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 50000);
}
END_TEST

START_TEST(flights_pick_the_head_of_line_text_unit)
{
    mf_flights f;
    ck_assert_int_eq(mf_flights_init(&f, 4), 0);
    mf_order o;
    mf_order_init(&o);
    uint64_t seg[6];
    for (int i = 0; i < 6; i++)
        seg[i] = mf_order_append(&o);
    int w;
    uint64_t id;
    /* rank r runs segment 4 - r (rank 3 the head of line, seg[1]); rank 2's is a range */
    for (int r = 0; r < 4; r++)
        ck_assert_int_eq(mf_flights_push(&f, r, seg[4 - r], r != 2, 1.0 + r), 0);
    ck_assert_int_eq(mf_flights_push(&f, 1, seg[5], true, 2.0), 0); /* queued behind seg[3] */
    ck_assert_int_eq(mf_flights_push(&f, 1, seg[0], true, 2.0), -1); /* a third: refused */
    /* too young at 4.005 for a grain of 0.01: rank 3's unit runs since 4.0, the others long enough */
    ck_assert(mf_flights_pick_yield(&f, &o, 4.005, 0.01, true, &w, &id));
    ck_assert(w == 1 && id == seg[3]); /* seg[2] is a range: the next text unit in line */
    ck_assert(mf_flights_pick_yield(&f, &o, 4.005, 0.01, true, &w, &id));
    ck_assert(w == 0 && id == seg[4]);
    ck_assert(!mf_flights_pick_yield(&f, &o, 4.005, 0.01, true, &w, &id)); /* each asked once; rank 3's too young */
    ck_assert(mf_flights_pick_yield(&f, &o, 4.02, 0.01, true, &w, &id));
    ck_assert(w == 3 && id == seg[1]);
    /* rank 1 returns seg[3]: seg[5] runs from 5.0, too short at 5.005, long enough at 5.02 */
    ck_assert_int_eq(mf_flights_pop(&f, 1, 5.0), 0);
    ck_assert_int_eq(mf_flights_held(&f, 1), 1);
    ck_assert(!mf_flights_pick_yield(&f, &o, 5.005, 0.01, true, &w, &id));
    ck_assert(mf_flights_pick_yield(&f, &o, 5.02, 0.01, false, &w, &id)); /* its rest first */
    ck_assert(w == 1 && id == seg[5]);
    ck_assert(!mf_flights_pick_yield(&f, &o, 5.02, 0.01, false, &w, &id)); /* asked for that already */
    ck_assert(mf_flights_pick_yield(&f, &o, 5.02, 0.01, true, &w, &id)); /* then, a rank idle, its number */
    ck_assert(w == 1 && id == seg[5]);
    ck_assert(!mf_flights_pick_yield(&f, &o, 5.02, 0.01, true, &w, &id));
    ck_assert_int_eq(mf_flights_pop(&f, 0, 6.0), 0);
    ck_assert_int_eq(mf_flights_pop(&f, 0, 6.0), -1);
    mf_order_free(&o);
    mf_flights_free(&f);
}
END_TEST

START_TEST(grain_from_measured_service)
{
    mf_sched s;
    mf_sched_init(&s, 4, 0);
    ck_assert_double_eq_tol(mf_sched_grain_s(&s), MF_SCHED_GRAIN_SHARE * 4 * MF_SCHED_SERVICE_S, 1e-12);
    mf_sched_observe_service(&s, 1.0, 8); /* too few units to tell service from start-up */
    ck_assert_double_eq_tol(mf_sched_grain_s(&s), MF_SCHED_GRAIN_SHARE * 4 * MF_SCHED_SERVICE_S, 1e-12);
    mf_sched_observe_service(&s, 1e-3, 100); /* 10 us per unit */
    ck_assert_double_eq_tol(mf_sched_grain_s(&s), MF_SCHED_GRAIN_SHARE * 4 * 10e-6, 1e-12);
    ck_assert_double_eq_tol(mf_sched_yield_age_s(&s), MF_SCHED_GRAIN_SHARE * 10e-6, 1e-12); /* any rank count */
    /* at scale the grain passes the target: units and ranges grow with it, so rank 0 keeps up */
    mf_sched_init(&s, 4096, 0);
    mf_sched_observe_service(&s, 1e-3, 100);
    double grain = mf_sched_grain_s(&s); /* 2 x 4096 x 10 us = 0.08 s */
    ck_assert(grain > MF_SCHED_TARGET_S);
    mf_sched_observe(&s, 1000000, 1.0); /* 1 us per byte */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), MF_SCHED_MAX_BYTES < (size_t)(grain / 1e-6) ? MF_SCHED_MAX_BYTES : (size_t)(grain / 1e-6));
    mf_sched_observe_candidates(&s, 100000000, 0.1); /* 1 ns per candidate */
    mf_range_size z = mf_sched_range_size(&s);
    ck_assert_uint_eq(z.least, (uint64_t)(grain / 1e-9));
    ck_assert_uint_eq(z.most, z.least);
}
END_TEST

START_TEST(shrinks_near_the_end)
{
    mf_sched s;
    mf_sched_init(&s, 4, 0);
    mf_sched_observe(&s, 10000, 10000 * 1e-6); /* 1 us per byte: 50,000 bytes by cost */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 1e9), 50000);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 160000), 20000); /* remaining / (2 x ranks) */
    /* floor: a grain of work, 2 x 4 ranks x 20 us assumed = 160 us = 160 bytes */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 1000), 160);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 0), 160);
    mf_sched_init(&s, 4, 0);
    mf_sched_observe(&s, 100000, 100000 * 1e-10); /* cheap numbers stay in big units to the end */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 1e9), MF_SCHED_MAX_BYTES);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 10), MF_SCHED_MAX_BYTES);
}
END_TEST

START_TEST(range_width_follows_candidate_cost)
{
    mf_sched s;
    mf_sched_init(&s, 8, 0);
    ck_assert_uint_ge(mf_sched_range_size(&s).least, MF_SCHED_MIN_RANGE); /* before any measurement */
    mf_sched_observe_candidates(&s, 100, 1.0); /* too few candidates to time: ignored */
    ck_assert(s.cost_per_candidate < 0);
    mf_sched_observe_candidates(&s, 100000000, 0.1); /* 1 ns per candidate: 50 M at most, a grain at least */
    mf_range_size z = mf_sched_range_size(&s);
    ck_assert_uint_eq(z.most, 50000000);
    ck_assert_uint_eq(z.least, (uint64_t)(MF_SCHED_GRAIN_SHARE * 8 * MF_SCHED_SERVICE_S / 1e-9));
    ck_assert_uint_eq(z.ways, 8);
    /* guided: the candidates left over twice the ranks, within [least, most] */
    ck_assert_uint_eq(mf_range_size_pick(&z, 4000000000u), 50000000);
    ck_assert_uint_eq(mf_range_size_pick(&z, 160000000), 10000000);
    ck_assert_uint_eq(mf_range_size_pick(&z, 160000001), 10000001);
    ck_assert_uint_eq(mf_range_size_pick(&z, 1000), z.least);
    ck_assert_uint_eq(mf_range_size_pick(&(mf_range_size){7, 7, 1}, 1000), 7); /* a fixed width */
    ck_assert_uint_eq(mf_range_size_pick(&(mf_range_size){0, 0, 0}, 1000), 1);
    mf_sched_init(&s, 8, 0);
    mf_sched_observe_candidates(&s, 10000, 10.0); /* very slow candidates: still the minimum width */
    z = mf_sched_range_size(&s);
    ck_assert_uint_eq(z.most, MF_SCHED_MIN_RANGE);
    ck_assert_uint_eq(z.least, MF_SCHED_MIN_RANGE);
}
END_TEST

START_TEST(window_holds_every_unit_in_flight)
{
    for (int ranks = 1; ranks < 100; ranks++)
        ck_assert_uint_ge(mf_sched_window(ranks), (uint32_t)(ranks * MF_UNITS_IN_FLIGHT + 1));
    mf_sched s;
    mf_sched_init(&s, 2, 77);
    ck_assert_uint_eq(s.fixed_lines, 77);
}
END_TEST

Suite *sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("sched");
    tcase_add_test(tc, adapts_to_cost);
    tcase_add_test(tc, first_units_from_the_worst_case);
    tcase_add_test(tc, flights_pick_the_head_of_line_text_unit);
    tcase_add_test(tc, grain_from_measured_service);
    tcase_add_test(tc, shrinks_near_the_end);
    tcase_add_test(tc, range_width_follows_candidate_cost);
    tcase_add_test(tc, window_holds_every_unit_in_flight);
    suite_add_tcase(s, tc);
    return s;
}
