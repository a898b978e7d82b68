/* Unit tests: who serves whom with and without a second level (node leaders). */
#include <check.h>

#include "mf_team.h"
#include "test_util.h"

START_TEST(root_serves_one_leader_per_node)
{
    /* nodes by lowest rank: {0,1,2} (rank 1 leads rank 2), {3,4,5}, {6} alone, {7,9} placed round-robin with {8}
       alone */
    const int firsts[] = {0, 0, 0, 3, 3, 3, 6, 7, 8, 7};
    ck_assert(mf_team_useful(firsts, 10));
    mf_team t;
    ck_assert_int_eq(mf_team_plan_root(&t, firsts, 10, true), 0);
    ck_assert(t.leaders && t.is_leader && t.parent == -1);
    const int want[] = {1, 3, 6, 7, 8};
    ck_assert_int_eq(t.nkids, 5);
    for (int k = 0; k < 5; k++)
        ck_assert_int_eq(t.kids[k], want[k]);
    ck_assert_int_eq(t.weight[1], 2); /* rank 0's node: rank 1 and its kid */
    ck_assert_int_eq(t.weight[3], 3); /* the leader and its two kids */
    ck_assert_int_eq(t.weight[6], 1);
    ck_assert_int_eq(t.weight[7], 2);
    ck_assert_int_eq(t.weight[2], 0); /* not rank 0's kid */
    ck_assert_int_eq(t.weight[4], 0);
    mf_team_free(&t);
    /* rank 0's node of two ranks: rank 1 is rank 0's kid */
    const int pair[] = {0, 0, 2, 2};
    ck_assert_int_eq(mf_team_plan_root(&t, pair, 4, true), 0);
    ck_assert(t.nkids == 2 && t.kids[0] == 1 && t.kids[1] == 2 && t.weight[1] == 1 && t.weight[2] == 2);
    mf_team_free(&t);
    /* switched off: rank 0 serves everyone, no weights */
    ck_assert_int_eq(mf_team_plan_root(&t, firsts, 10, false), 0);
    ck_assert_int_eq(t.nkids, 9);
    ck_assert_ptr_null(t.weight);
    mf_team_free(&t);
}
END_TEST

START_TEST(members_know_their_parent_and_leaders_their_kids)
{
    const int node[] = {3, 4, 5}, root_node[] = {0, 1, 2}, alone[] = {6}, spread[] = {7, 9};
    mf_team t;
    ck_assert_int_eq(mf_team_plan_member(&t, 3, node, 3, true), 0);
    ck_assert(t.is_leader && t.parent == 0 && t.nkids == 2 && t.kids[0] == 4 && t.kids[1] == 5);
    mf_team_free(&t);
    ck_assert_int_eq(mf_team_plan_member(&t, 5, node, 3, true), 0);
    ck_assert(!t.is_leader && t.parent == 3 && t.nkids == 0);
    mf_team_free(&t);
    ck_assert_int_eq(mf_team_plan_member(&t, 9, spread, 2, true), 0);
    ck_assert(!t.is_leader && t.parent == 7);
    mf_team_free(&t);
    ck_assert_int_eq(mf_team_plan_member(&t, 2, root_node, 3, true), 0); /* rank 0's node: rank 1 serves it */
    ck_assert(!t.is_leader && t.parent == 1);
    mf_team_free(&t);
    ck_assert_int_eq(mf_team_plan_member(&t, 1, root_node, 3, true), 0);
    ck_assert(t.is_leader && t.parent == 0 && t.nkids == 1 && t.kids[0] == 2);
    mf_team_free(&t);
    ck_assert_int_eq(mf_team_plan_member(&t, 1, root_node, 2, true), 0); /* two ranks: rank 0 serves rank 1 */
    ck_assert(!t.is_leader && t.parent == 0);
    mf_team_free(&t);
    ck_assert_int_eq(mf_team_plan_member(&t, 6, alone, 1, true), 0); /* a node of one: a plain kid of rank 0 */
    ck_assert(!t.is_leader && t.parent == 0);
    mf_team_free(&t);
    ck_assert_int_eq(mf_team_plan_member(&t, 4, node, 3, false), 0); /* off: rank 0 serves everyone */
    ck_assert(!t.is_leader && t.parent == 0);
    mf_team_free(&t);
    /* every node other than rank 0's holds one rank: a leader would serve nobody */
    const int singles[] = {0, 0, 2, 3};
    ck_assert(!mf_team_useful(singles, 4));
    ck_assert_int_eq(mf_team_flat(&t, 0, 4), 0);
    ck_assert(t.nkids == 3 && t.kids[2] == 3 && !t.weight);
    mf_team_free(&t);
}
END_TEST

START_TEST(nodes_from_ids_give_each_rank_its_lowest_neighbour)
{
    /* the shape of root_serves_one_leader_per_node, told by node ids in no particular order of value; one node's
       ranks placed round-robin with another's */
    const uint64_t ids[] = {UINT64_MAX, UINT64_MAX, UINT64_MAX, 5, 5, 5, 0, 42, 7, 42};
    const int want[] = {0, 0, 0, 3, 3, 3, 6, 7, 8, 7};
    int firsts[10], members[10];
    ck_assert_int_eq(mf_team_firsts(ids, 10, firsts), 0);
    for (int r = 0; r < 10; r++)
        ck_assert_int_eq(firsts[r], want[r]);
    ck_assert_int_eq(mf_team_members(firsts, 10, 9, members), 2);
    ck_assert(members[0] == 7 && members[1] == 9);
    ck_assert_int_eq(mf_team_members(firsts, 10, 4, members), 3);
    ck_assert(members[0] == 3 && members[1] == 4 && members[2] == 5);
    ck_assert_int_eq(mf_team_members(firsts, 10, 6, members), 1);
    ck_assert_int_eq(members[0], 6);
    /* a member plans from them as from its node's ranks listed directly (members_know_their_parent...) */
    mf_team t;
    ck_assert_int_eq(mf_team_plan_member(&t, 9, members, mf_team_members(firsts, 10, 9, members), true), 0);
    ck_assert(!t.is_leader && t.parent == 7);
    mf_team_free(&t);
    /* one node, and every rank on a node of its own */
    const uint64_t same[] = {9, 9, 9}, apart[] = {3, 2, 1};
    ck_assert_int_eq(mf_team_firsts(same, 3, firsts), 0);
    ck_assert(firsts[0] == 0 && firsts[1] == 0 && firsts[2] == 0 && !mf_team_useful(firsts, 3));
    ck_assert_int_eq(mf_team_firsts(apart, 3, firsts), 0);
    ck_assert(firsts[0] == 0 && firsts[1] == 1 && firsts[2] == 2 && !mf_team_useful(firsts, 3));
}
END_TEST

START_TEST(leaders_share_the_opening_by_the_ranks_they_serve)
{
    /* root_serves_one_leader_per_node's nodes: leaders 1 (2 ranks), 3 (3) and 7 (2); 6 and 8 serve no one */
    const int firsts[] = {0, 0, 0, 3, 3, 3, 6, 7, 8, 7};
    mf_team t;
    ck_assert_int_eq(mf_team_plan_root(&t, firsts, 10, true), 0);
    uint64_t lo, hi, total;
    const int leaders[] = {1, 3, 7};
    const uint64_t want_lo[] = {0, 2, 5}, want_hi[] = {2, 5, 7};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(mf_team_leader_share(&t, leaders[i], &lo, &hi, &total), i);
        ck_assert(lo == want_lo[i] && hi == want_hi[i] && total == 7);
    }
    for (int r = 0; r < 10; r++)
        if (r != 1 && r != 3 && r != 7)
            ck_assert_int_eq(mf_team_leader_share(&t, r, &lo, &hi, &total), -1);
    mf_team_free(&t);
    ck_assert_int_eq(mf_team_plan_root(&t, firsts, 10, false), 0); /* no second level: no leader */
    ck_assert_int_eq(mf_team_leader_share(&t, 3, &lo, &hi, &total), -1);
    mf_team_free(&t);
}
END_TEST

Suite *team_suite(void)
{
    Suite *s = suite_create("team");
    TCase *tc = tcase_create("team");
    tcase_add_test(tc, root_serves_one_leader_per_node);
    tcase_add_test(tc, members_know_their_parent_and_leaders_their_kids);
    tcase_add_test(tc, nodes_from_ids_give_each_rank_its_lowest_neighbour);
    tcase_add_test(tc, leaders_share_the_opening_by_the_ranks_they_serve);
    suite_add_tcase(s, tc);
    return s;
}
