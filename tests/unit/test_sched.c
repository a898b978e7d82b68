/* Unit sizing: adaptive to cost, bounded, shrinking near the end, fixed when asked. */
#include <check.h>

#include "mf_sched.h"
#include "test_util.h"

START_TEST(adapts_to_cost)
{
    mf_sched s;
    mf_sched_init(&s, 4, 0);
    ck_assert_uint_eq(mf_sched_next_size(&s, -1), MF_SCHED_FIRST_UNIT);
    mf_sched_observe(&s, 100, 100 * 1e-7); /* cheap numbers: the biggest units */
    ck_assert_uint_eq(mf_sched_next_size(&s, -1), MF_SCHED_MAX_UNIT);
    mf_sched_init(&s, 4, 0);
    mf_sched_observe(&s, 10, 10 * 0.01); /* 10 ms per number: 5 per unit */
    ck_assert_uint_eq(mf_sched_next_size(&s, -1), 5);
    mf_sched_init(&s, 4, 0);
    mf_sched_observe(&s, 1, 3.0); /* very costly: never below one */
    ck_assert_uint_eq(mf_sched_next_size(&s, -1), 1);
    mf_sched_observe(&s, 0, 1.0); /* ignored */
    ck_assert_uint_eq(mf_sched_next_size(&s, -1), 1);
}
END_TEST

START_TEST(shrinks_near_the_end)
{
    mf_sched s;
    mf_sched_init(&s, 4, 0);
    mf_sched_observe(&s, 1000, 1000 * 1e-3); /* 1 ms per number: 50 per unit by cost */
    ck_assert_uint_eq(mf_sched_next_size(&s, 1e9), 50);
    ck_assert_uint_eq(mf_sched_next_size(&s, 160), 20); /* remaining / (2 x ranks) */
    ck_assert_uint_eq(mf_sched_next_size(&s, 24), 5);   /* floor: 5 ms of work */
    ck_assert_uint_eq(mf_sched_next_size(&s, 0), 5);
    mf_sched_init(&s, 4, 0);
    mf_sched_observe(&s, 1000, 1000 * 1e-7); /* cheap numbers stay in big units to the end */
    ck_assert_uint_eq(mf_sched_next_size(&s, 1e9), MF_SCHED_MAX_UNIT);
    ck_assert_uint_eq(mf_sched_next_size(&s, 10), MF_SCHED_MAX_UNIT);
    mf_sched_init(&s, 4, 0);
    mf_sched_observe(&s, 1, 1.0); /* costly numbers go one by one at the end */
    ck_assert_uint_eq(mf_sched_next_size(&s, 3), 1);
}
END_TEST

START_TEST(fixed_size_and_window)
{
    mf_sched s;
    mf_sched_init(&s, 2, 77);
    mf_sched_observe(&s, 5, 5.0);
    ck_assert_uint_eq(mf_sched_next_size(&s, 1), 77);
    /* the window holds every unit in flight plus slack */
    for (int ranks = 1; ranks < 100; ranks++)
        ck_assert_uint_ge(mf_sched_window(ranks), (uint32_t)(ranks * MF_UNITS_IN_FLIGHT + 1));
}
END_TEST

Suite *sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("sched");
    tcase_add_test(tc, adapts_to_cost);
    tcase_add_test(tc, shrinks_near_the_end);
    tcase_add_test(tc, fixed_size_and_window);
    suite_add_tcase(s, tc);
    return s;
}
