/* Unit sizing: adaptive to the cost per byte, bounded, shrinking near the end; range widths; the window. */
#include <check.h>

#include "mf_flights.h"
#include "mf_pace.h"
#include "mf_sched.h"
#include "mf_stats.h"
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
    ck_assert(mf_flights_first_text(&f, 1) == seg[3] && mf_flights_first_text(&f, 0) == seg[4]);
    ck_assert(mf_flights_first_text(&f, 2) == MF_ORDER_NONE && mf_flights_first_text(&f, 9) == MF_ORDER_NONE);
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
    /* a rank holds as many as a node leader's slots (MF_SLICES_IN_FLIGHT), in order, and no more */
    for (int i = 0; i < MF_SLICES_IN_FLIGHT; i++)
        ck_assert_int_eq(mf_flights_push(&f, 0, seg[i], true, 7.0), 0);
    ck_assert_int_eq(mf_flights_push(&f, 0, seg[5], true, 7.0), -1);
    uint64_t held[MF_SLICES_IN_FLIGHT];
    ck_assert_int_eq(mf_flights_ids(&f, 0, held), MF_SLICES_IN_FLIGHT);
    ck_assert(held[0] == seg[0] && held[MF_SLICES_IN_FLIGHT - 1] == seg[MF_SLICES_IN_FLIGHT - 1]);
    mf_order_free(&o);
    mf_flights_free(&f);
}
END_TEST

/* A node leader holds two slices and hands back the rest of the second, which it cuts while the first runs:
   that rearms it as a rest of the first would; a unit it does not hold does not. */
START_TEST(flights_rearm_by_a_held_unit)
{
    mf_flights f;
    ck_assert_int_eq(mf_flights_init(&f, 3), 0);
    mf_order o;
    mf_order_init(&o);
    uint64_t a = mf_order_append(&o), b = mf_order_append(&o), c = mf_order_append(&o);
    int w;
    uint64_t id;
    ck_assert_int_eq(mf_flights_push(&f, 1, a, true, 1.0), 0);
    ck_assert_int_eq(mf_flights_push(&f, 1, b, true, 1.0), 0);
    ck_assert_int_eq(mf_flights_push(&f, 2, c, true, 1.0), 0);
    ck_assert(mf_flights_pick_yield(&f, &o, 2.0, 0.01, false, &w, &id) && w == 1 && id == a);
    ck_assert(mf_flights_pick_yield(&f, &o, 2.0, 0.01, false, &w, &id) && w == 2 && id == c);
    ck_assert(!mf_flights_pick_yield(&f, &o, 2.0, 0.01, false, &w, &id));
    mf_flights_rearm(&f, 1, c); /* not rank 1's */
    mf_flights_rearm(&f, 9, a); /* no such rank */
    ck_assert(!mf_flights_pick_yield(&f, &o, 2.0, 0.01, false, &w, &id));
    mf_flights_rearm(&f, 1, b); /* the rest of its second slice */
    ck_assert(mf_flights_pick_yield(&f, &o, 2.0, 0.01, false, &w, &id) && w == 1 && id == a);
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
    ck_assert_uint_eq(z.ways, 4096);
    /* with node leaders rank 0 serves 80 kids (16 ranks of its node, 64 leaders): the grain and the ways a number
       is split count those, the guided share of text still all 4096 ranks (a leader's slice is scaled by its
       node's ranks) */
    mf_sched_set_served(&s, 80);
    ck_assert_double_eq_tol(mf_sched_grain_s(&s), MF_SCHED_GRAIN_SHARE * 80 * 10e-6, 1e-12);
    ck_assert_uint_eq(mf_sched_range_size(&s).ways, 80);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 32768000), 4000); /* remaining / (2 x 4096), above the grain (1600) */
    mf_sched_set_served(&s, 0); /* out of range: all */
    ck_assert_double_eq_tol(mf_sched_grain_s(&s), grain, 1e-12);
}
END_TEST

START_TEST(grain_capped_by_the_share)
{
    /* cheap numbers on 1024 ranks: rank 0 serves 80 kids at 56 us a unit, a grain of 8.96 ms of compute, and a
       rank's share of the input is 13 MB / 1024 = 12,695 bytes of 0.33 us each, 4.2 ms: a grain of units would
       give a third of the leaders a second slice of twice the share and the rest none */
    mf_sched s;
    mf_sched_init(&s, 1024, 0);
    mf_sched_set_served(&s, 80);
    mf_sched_observe_lines(&s, 13);
    mf_sched_observe_input(&s, 13e6);
    mf_sched_observe_service(&s, 56e-6 * 200, 200);
    mf_sched_observe(&s, 100000, 100000 * 0.33e-6);
    ck_assert_double_eq_tol(mf_sched_grain_s(&s), 2 * 80 * 56e-6, 1e-12);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 13e6), 6347);  /* guided: 13e6 / 2048, under the floor */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 7e6), 6347);   /* the floor: half a share, not a grain (27,151) */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 3.5e6), 3417); /* the end: 3.5e6 / 1024 each */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 0), 1586);     /* a quarter of the floor */
    /* where the share is many grains, the floor is the grain: 1.3e9 bytes, 635 KB a rank's half share */
    mf_sched_init(&s, 1024, 0);
    mf_sched_set_served(&s, 80);
    mf_sched_observe_input(&s, 1.3e9);
    mf_sched_observe_service(&s, 56e-6 * 200, 200);
    mf_sched_observe(&s, 100000, 100000 * 0.33e-6);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 30e6), 27151);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 3.5e6), 6787); /* the end, at a quarter grain */
}
END_TEST

START_TEST(end_shared_evenly)
{
    /* 64 node leaders of 16 ranks each: once the input left is under a grain a rank, every slice (16 times a
       rank's unit) is the input left over the 64 leaders, so the last slices reach them all */
    mf_sched s;
    mf_sched_init(&s, 1024, 0);
    mf_sched_set_served(&s, 80);
    mf_sched_observe_input(&s, 1.3e9);
    mf_sched_observe_service(&s, 20e-6 * 200, 200);          /* a grain of 2 x 80 x 20 us = 3.2 ms */
    mf_sched_observe(&s, 100000, 100000 * 0.32e-6);          /* 10,000 bytes a grain */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 40e6), 19531); /* guided: 40e6 / 2048 */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 15e6), 10000); /* a grain: 64 leaders would take 15 MB in 94 slices */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 8e6), 7812);   /* the end: 8e6 / 1024, 16 x that = 8e6 / 64 a slice */
    size_t prev = 10000;
    for (double left = 8e6; left > 0; left -= 16.0 * (double)prev) { /* shrinks as the input runs out ... */
        size_t b = mf_sched_next_bytes(&s, left);
        ck_assert_uint_le(b, prev);
        ck_assert_uint_ge(b, 2500); /* ... to a quarter grain at least */
        prev = b;
    }
    ck_assert_uint_eq(prev, 2500);
    /* a cost not measured yet keeps the first sizes (no grain to share) */
    mf_sched_init(&s, 1024, 0);
    mf_sched_observe_input(&s, 1.3e9);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 0), mf_sched_next_bytes(&s, 1e9));
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
    /* at the end (less than a grain for each rank) an even share, down to a quarter grain */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 600), 150);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 0), 160 / MF_SCHED_END_FLOOR);
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
    ck_assert_uint_eq(mf_sched_split_least(&s), 2 * z.least); /* a split makes two ranges at least */
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

START_TEST(policies_by_name)
{
    mf_schedule p = MF_SCHEDULE_MAP;
    ck_assert_int_eq(mf_schedule_parse("adaptive", &p), 0);
    ck_assert_int_eq(p, MF_SCHEDULE_ADAPTIVE);
    ck_assert_int_eq(mf_schedule_parse("static", &p), 0);
    ck_assert_int_eq(p, MF_SCHEDULE_STATIC);
    ck_assert_int_eq(mf_schedule_parse("map", &p), 0);
    ck_assert_int_eq(p, MF_SCHEDULE_MAP);
    ck_assert_int_eq(mf_schedule_parse("Map", &p), -1);
    ck_assert_int_eq(mf_schedule_parse("", &p), -1);
    ck_assert_str_eq(mf_schedule_name(MF_SCHEDULE_ADAPTIVE), "adaptive");
    ck_assert_str_eq(mf_schedule_name(MF_SCHEDULE_MAP), "map");
    ck_assert_str_eq(mf_schedule_name(MF_SCHEDULE_STATIC), "static");
}
END_TEST

START_TEST(adaptive_asks_to_hand_back_the_others_never)
{
    mf_sched s;
    uint32_t lines = 99;
    mf_sched_init(&s, 8, 0);
    ck_assert(mf_sched_may_yield(&s) && !mf_sched_wants_line_count(&s)); /* the default: adaptive */
    for (int w = 0; w < 8; w++) { /* any rank, sized in bytes */
        ck_assert(mf_sched_next_lines(&s, w, &lines));
        ck_assert_uint_eq(lines, 0);
    }
    mf_sched_init(&s, 8, 40); /* adaptive with --unit-size: 40 lines, still handing back */
    ck_assert(mf_sched_next_lines(&s, 3, &lines) && lines == 40 && mf_sched_may_yield(&s));
    mf_sched_set_policy(&s, MF_SCHEDULE_MAP); /* map -u 40: 40 lines to any rank, never asked back */
    ck_assert(mf_sched_next_lines(&s, 5, &lines) && lines == 40 && !mf_sched_may_yield(&s));
    mf_sched_init(&s, 8, 0);
    mf_sched_set_policy(&s, MF_SCHEDULE_MAP); /* map: one line per unit */
    ck_assert(!mf_sched_wants_line_count(&s));
    for (int w = 0; w < 8; w++) {
        ck_assert(mf_sched_next_lines(&s, w, &lines));
        ck_assert_uint_eq(lines, 1);
        mf_sched_took_lines(&s, 1);
    }
    mf_sched_init(&s, 8, 0);
    mf_sched_set_policy(&s, MF_SCHEDULE_STATIC);
    ck_assert(!mf_sched_may_yield(&s));
}
END_TEST

/* Cuts a static division of `lines` lines over `ranks` ranks the way the master does: each round asks ranks 1..
   ranks-1 then 0 for their next unit, each cut taking what was asked (at most `cut` lines: a file ends) until
   `lines` are gone. Stores per rank the lines it got in got[] and returns the units cut. */
static int cut_static(int ranks, uint64_t lines, uint64_t cut, uint64_t *got)
{
    mf_sched s;
    mf_sched_init(&s, ranks, 0);
    mf_sched_set_policy(&s, MF_SCHEDULE_STATIC);
    ck_assert(mf_sched_wants_line_count(&s));
    mf_sched_divide(&s, lines);
    ck_assert(!mf_sched_wants_line_count(&s));
    for (int w = 0; w < ranks; w++)
        got[w] = 0;
    uint64_t left = lines;
    int units = 0;
    for (int round = 0; left > 0 && round < 10 * ranks + 10; round++) {
        for (int i = 1; i <= ranks && left > 0; i++) {
            int w = i % ranks;
            uint32_t n;
            if (!mf_sched_next_lines(&s, w, &n))
                continue;
            ck_assert_uint_gt(n, 0); /* static always counts lines */
            uint64_t take = n < cut ? n : cut;
            take = take < left ? take : left;
            got[w] += take;
            left -= take;
            mf_sched_took_lines(&s, take);
            units++;
        }
    }
    ck_assert_uint_eq(left, 0);
    return units;
}

START_TEST(static_chunks_are_equal_and_fixed)
{
    uint64_t got[64];
    /* 10 lines on 3 ranks: 4, 3, 3 in input order to ranks 1, 2 and 0; one unit each */
    ck_assert_int_eq(cut_static(3, 10, UINT64_MAX, got), 3);
    ck_assert_uint_eq(got[1], 4);
    ck_assert_uint_eq(got[2], 3);
    ck_assert_uint_eq(got[0], 3);
    /* one rank: everything, one unit */
    ck_assert_int_eq(cut_static(1, 1000, UINT64_MAX, got), 1);
    ck_assert_uint_eq(got[0], 1000);
    /* more ranks than lines: 2 lines on 5 ranks go to ranks 1 and 2, the others get nothing */
    ck_assert_int_eq(cut_static(5, 2, UINT64_MAX, got), 2);
    ck_assert(got[1] == 1 && got[2] == 1 && got[3] == 0 && got[4] == 0 && got[0] == 0);
    /* files ending every 7 lines cut a chunk into several units, all for its rank */
    ck_assert_int_eq(cut_static(4, 40, 7, got), 8);
    ck_assert(got[1] == 10 && got[2] == 10 && got[3] == 10 && got[0] == 10);
    /* any size: chunks differ by at most one line */
    for (int ranks = 1; ranks <= 64; ranks += 9) {
        for (uint64_t lines = 1; lines < 300; lines += 37) {
            cut_static(ranks, lines, UINT64_MAX, got);
            uint64_t lo = UINT64_MAX, hi = 0;
            for (int w = 0; w < ranks; w++) {
                lo = got[w] < lo ? got[w] : lo;
                hi = got[w] > hi ? got[w] : hi;
            }
            ck_assert_uint_le(hi - lo, 1);
        }
    }
}
END_TEST

START_TEST(static_last_chunk_takes_what_the_count_missed)
{
    mf_sched s;
    uint32_t n;
    mf_sched_init(&s, 2, 0);
    mf_sched_set_policy(&s, MF_SCHEDULE_STATIC);
    /* not divided yet: everything is rank 0's */
    ck_assert(!mf_sched_next_lines(&s, 1, &n));
    ck_assert(mf_sched_next_lines(&s, 0, &n) && n == UINT32_MAX);
    mf_sched_divide(&s, 6);
    ck_assert(!mf_sched_next_lines(&s, 0, &n)); /* rank 1's chunk first */
    ck_assert(mf_sched_next_lines(&s, 1, &n) && n == 3);
    mf_sched_took_lines(&s, 3);
    ck_assert(!mf_sched_next_lines(&s, 1, &n)); /* no rebalancing: rank 1 gets nothing more */
    ck_assert(mf_sched_next_lines(&s, 0, &n) && n == UINT32_MAX); /* rank 0's: all that is left */
    mf_sched_took_lines(&s, 1000);
    ck_assert(mf_sched_next_lines(&s, 0, &n) && n == UINT32_MAX);
    ck_assert(!mf_sched_next_lines(&s, 1, &n));
    mf_sched_divide(&s, 0); /* an empty input: rank 0 finds its end */
    ck_assert(mf_sched_next_lines(&s, 0, &n) && !mf_sched_next_lines(&s, 1, &n));
    mf_sched_init(&s, 2, 0); /* other policies ignore the count */
    mf_sched_divide(&s, 6);
    ck_assert(mf_sched_next_lines(&s, 1, &n) && n == 0);
}
END_TEST

START_TEST(naps_short_while_a_reply_is_due)
{
    /* doubling from the first nap, within the short cap while idleness is young, the long cap later */
    ck_assert(mf_nap_next(0, 0) == MF_NAP_FIRST_S);
    ck_assert(mf_nap_next(MF_NAP_FIRST_S, 1e-4) == 2 * MF_NAP_FIRST_S);
    double nap = MF_NAP_FIRST_S, idle = 0;
    for (int i = 0; i < 100; i++) {
        idle += nap;
        nap = mf_nap_next(nap, idle);
        if (idle < MF_NAP_PATIENCE_S)
            ck_assert(nap <= MF_NAP_SHORT_S);
    }
    ck_assert(nap == MF_NAP_LONG_S); /* 100 naps add up to more than the patience: the long cap */
    ck_assert(mf_nap_next(MF_NAP_LONG_S, 10) == MF_NAP_LONG_S);
    ck_assert(mf_nap_next(MF_NAP_LONG_S, 0) == MF_NAP_SHORT_S); /* idle again from fresh: short again */
}
END_TEST

START_TEST(rank0_serves_only_while_serving_takes_most_of_its_run)
{
    ck_assert(!mf_sched_serve_only(0, 0, 1024));     /* before any time has passed */
    ck_assert(!mf_sched_serve_only(0, 1.0, 1024));   /* nothing served */
    ck_assert(!mf_sched_serve_only(0.24, 1.0, 256)); /* 256 simulated ranks with leaders */
    ck_assert(!mf_sched_serve_only(MF_SCHED_SERVE_ONLY_SHARE, 1.0, 1024)); /* the share itself: still its own work */
    ck_assert(mf_sched_serve_only(0.72, 1.0, 1024));  /* 1024 simulated ranks with leaders */
    ck_assert(mf_sched_serve_only(1e-3, 1.5e-3, 1024)); /* the first hand-out: serving only */
    ck_assert(!mf_sched_serve_only(0.9, 1.0, 4));    /* np 4 on two nodes: its quarter of the compute counts */
    ck_assert(!mf_sched_serve_only(0.9, 1.0, MF_SCHED_SERVE_ONLY_RANKS - 1));
    ck_assert(mf_sched_serve_only(0.9, 1.0, MF_SCHED_SERVE_ONLY_RANKS));
}
END_TEST

START_TEST(first_round_one_even_unit_per_rank)
{
    mf_sched s;
    mf_sched_init(&s, 64, 0);
    ck_assert_int_eq(mf_sched_in_flight(&s), 1); /* nothing measured: no second unit queued blind */
    mf_sched_observe_lines(&s, 13);              /* 12 digits: 1 ms at worst, 50 lines (650 bytes) */
    mf_sched_observe_input(&s, 64 * 300.0);      /* a small input: 300 bytes each hands it all out */
    mf_sched_observe_input(&s, 1e9);             /* later calls are ignored */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 64 * 300.0), 300);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 300.0), 300); /* no guided shrink before a cost is known */
    mf_sched_init(&s, 64, 0);
    mf_sched_observe_lines(&s, 13);
    mf_sched_observe_input(&s, 64 * 1300.0); /* up to twice the worst case's bound: still one share each */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 64 * 1300.0), 1300);
    mf_sched_init(&s, 64, 0);
    mf_sched_observe_lines(&s, 13);
    mf_sched_observe_input(&s, 64 * 5000.0); /* a larger one: the worst case caps the first units */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 64 * 5000.0), 50 * 13);
    mf_sched_observe(&s, 650, 650 * 1e-6); /* a cost measured: two units each, sized by it, guided again */
    ck_assert_int_eq(mf_sched_in_flight(&s), MF_UNITS_IN_FLIGHT);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 50000);
    /* a grain (2 x 64 x 20 us at 1 us a byte: 2560) would pass half of a rank's share of the input (2500) */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 64 * 5000.0), 2500);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 64 * 2500.0), 2500);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 64 * 100.0), 625); /* the end: a quarter of that at least */
    mf_sched_init(&s, 4, 0);
    mf_sched_observe_candidates(&s, 1000000, 1e-3); /* a split number's cost counts too */
    ck_assert_int_eq(mf_sched_in_flight(&s), MF_UNITS_IN_FLIGHT);
    mf_sched_init(&s, 4, 0);
    mf_sched_set_policy(&s, MF_SCHEDULE_MAP); /* the classic policies keep their queue from the start */
    ck_assert_int_eq(mf_sched_in_flight(&s), MF_UNITS_IN_FLIGHT);
    mf_sched_init(&s, 4, 0);
    mf_sched_observe_input(&s, -1); /* standard input: unknown size, the worst case alone */
    mf_sched_observe_lines(&s, 13);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 50 * 13);
}
END_TEST

START_TEST(first_units_priced_at_the_timed_kernel)
{
    /* 12-digit numbers: 0.5 x 10^6 candidates at worst; the slowest kernel's 2 ns makes that 1 ms, 50 lines
       per 50 ms unit; a kernel timed at 0.1 ns makes it 50 us, 1000 lines, capped at MF_SCHED_FIRST_MAX_BYTES */
    mf_sched s;
    mf_sched_init(&s, 16, 0);
    mf_sched_observe_lines(&s, 13);
    mf_sched_observe_input(&s, -1);
    mf_sched_observe_kernel(&s, 0); /* not timed (0 or less): ignored */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 50 * 13);
    mf_sched_observe_kernel(&s, 1e-9); /* twice as fast as assumed: twice the lines */
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 100 * 13);
    mf_sched_observe_kernel(&s, 0.1e-9);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), MF_SCHED_FIRST_MAX_BYTES);
    /* so a 5000-number input on 16 ranks goes out as 16 even shares of 4063 bytes (under twice the bound), as
       static divides it, where the slowest kernel's price gave units of 650 bytes */
    mf_sched_init(&s, 16, 0);
    mf_sched_observe_lines(&s, 13);
    mf_sched_observe_input(&s, 65000);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 65000), 50 * 13);
    mf_sched_observe_kernel(&s, 0.1e-9);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, 65000), 4063);
    /* a cost measured in a unit wins over the timed kernel */
    mf_sched_observe_candidates(&s, 1000000, 2e-3);
    ck_assert_uint_eq(mf_sched_next_bytes(&s, -1), 50 * 13);
}
END_TEST

START_TEST(slices_last_the_same_time_on_any_cpu)
{
    /* two CPUs 16x apart in cost per candidate settle on budgets 16x apart: slices of 1 ms on both */
    mf_pace fast, slow;
    mf_pace_init(&fast, 1e-3, UINT64_C(1) << 20);
    mf_pace_init(&slow, 1e-3, UINT64_C(1) << 20);
    for (int i = 0; i < 20; i++) {
        uint64_t bf = mf_pace_budget(&fast), bs = mf_pace_budget(&slow);
        mf_pace_observe(&fast, bf, (double)bf * 0.1e-9); /* 0.1 ns per candidate */
        mf_pace_observe(&slow, bs, (double)bs * 1.6e-9);
    }
    ck_assert_uint_eq(mf_pace_budget(&fast), 10000000);
    ck_assert_uint_eq(mf_pace_budget(&slow), 625000);
    /* one disturbed slice (the rank was descheduled for 100 ms) moves it 4x at most, and it comes back */
    mf_pace_observe(&fast, 10000000, 0.1);
    ck_assert_uint_eq(mf_pace_budget(&fast), 2500000);
    mf_pace_observe(&fast, 2500000, 2500000 * 0.1e-9);
    ck_assert_uint_eq(mf_pace_budget(&fast), 10000000);
    /* a clock too coarse to see the slice: more; bounds hold */
    mf_pace_observe(&fast, 10000000, 0);
    ck_assert_uint_eq(mf_pace_budget(&fast), 40000000);
    mf_pace_init(&slow, 1e-3, 1);
    ck_assert_uint_eq(mf_pace_budget(&slow), MF_PACE_LEAST);
    mf_pace_observe(&slow, MF_PACE_LEAST, 1.0);
    ck_assert_uint_eq(mf_pace_budget(&slow), MF_PACE_LEAST);
    mf_pace_init(&slow, 1e-3, UINT64_MAX);
    ck_assert_uint_eq(mf_pace_budget(&slow), MF_PACE_MOST);
    mf_pace_observe(&slow, MF_PACE_MOST, 1e-9);
    ck_assert_uint_eq(mf_pace_budget(&slow), MF_PACE_MOST);
}
END_TEST

START_TEST(opening_is_an_eighth_shared_exactly)
{
    /* an eighth of the first input, where each rank the leaders serve gets MF_OPENING_LEAST_BYTES */
    ck_assert_uint_eq(mf_sched_opening_bytes(8000, 10), 1000);
    ck_assert_uint_eq(mf_sched_opening_bytes(8 * 32 * 10, 10), 320);
    ck_assert_uint_eq(mf_sched_opening_bytes(8 * 32 * 10 - 8, 10), 0);
    ck_assert_uint_eq(mf_sched_opening_bytes(4000, 0), 0);
    ck_assert_uint_eq(mf_sched_opening_bytes(0, 3), 0);
    /* shares meet end to end: [0, a) and [a, total) */
    ck_assert_uint_eq(mf_sched_opening_offset(1000, 0, 7), 0);
    ck_assert_uint_eq(mf_sched_opening_offset(1000, 3, 7), 428);
    ck_assert_uint_eq(mf_sched_opening_offset(1000, 7, 7), 1000);
    /* exact where opening * at overflows 64 bits: opening = q * T + (T - 1), at = T - 1 gives
       q * (T - 1) + floor((T - 1)^2 / T) = q * (T - 1) + T - 2 */
    const uint64_t T = UINT64_C(1) << 30, q = (UINT64_C(1) << 32) + 7;
    ck_assert_uint_eq(mf_sched_opening_offset(q * T + (T - 1), T - 1, T), q * (T - 1) + T - 2);
    ck_assert_uint_eq(mf_sched_opening_offset(q * T + (T - 1), T, T), q * T + (T - 1));
}
END_TEST

Suite *sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("sched");
    tcase_add_test(tc, adapts_to_cost);
    tcase_add_test(tc, opening_is_an_eighth_shared_exactly);
    tcase_add_test(tc, first_units_from_the_worst_case);
    tcase_add_test(tc, flights_pick_the_head_of_line_text_unit);
    tcase_add_test(tc, flights_rearm_by_a_held_unit);
    tcase_add_test(tc, grain_from_measured_service);
    tcase_add_test(tc, grain_capped_by_the_share);
    tcase_add_test(tc, shrinks_near_the_end);
    tcase_add_test(tc, end_shared_evenly);
    tcase_add_test(tc, range_width_follows_candidate_cost);
    tcase_add_test(tc, window_holds_every_unit_in_flight);
    tcase_add_test(tc, policies_by_name);
    tcase_add_test(tc, adaptive_asks_to_hand_back_the_others_never);
    tcase_add_test(tc, static_chunks_are_equal_and_fixed);
    tcase_add_test(tc, static_last_chunk_takes_what_the_count_missed);
    tcase_add_test(tc, naps_short_while_a_reply_is_due);
    tcase_add_test(tc, rank0_serves_only_while_serving_takes_most_of_its_run);
    tcase_add_test(tc, slices_last_the_same_time_on_any_cpu);
    tcase_add_test(tc, first_round_one_even_unit_per_rank);
    tcase_add_test(tc, first_units_priced_at_the_timed_kernel);
    suite_add_tcase(s, tc);
    return s;
}
