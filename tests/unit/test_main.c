/* Runs every unit-test suite (Check) and prints the seed used. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mf_kernel_u64.h"
#include "test_util.h"

uint64_t mf_test_seed;
static uint64_t g_state;

uint64_t mf_test_rand(void)
{
    g_state ^= g_state >> 12;
    g_state ^= g_state << 25;
    g_state ^= g_state >> 27;
    return g_state * UINT64_C(2685821657736338717);
}

uint64_t mf_test_range(uint64_t lo, uint64_t hi)
{
    uint64_t span = hi - lo + 1;
    return span == 0 ? mf_test_rand() : lo + mf_test_rand() % span;
}

int main(void)
{
    const char *env = getenv("MF_TEST_SEED");
    mf_test_seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
    g_state = mf_test_seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
    printf("unit tests: seed %llu (replay with MF_TEST_SEED=%llu)\n", (unsigned long long)mf_test_seed,
           (unsigned long long)mf_test_seed);
    SRunner *sr = srunner_create(kernel_suite());
    srunner_add_suite(sr, factor_suite());
    srunner_add_suite(sr, input_suite());
    srunner_add_suite(sr, codec_suite());
    srunner_add_suite(sr, block_suite());
    srunner_add_suite(sr, team_suite());
    srunner_add_suite(sr, sched_suite());
    srunner_add_suite(sr, order_suite());
    srunner_add_suite(sr, runner_suite());
    srunner_add_suite(sr, output_suite());
    srunner_add_suite(sr, checkpoint_suite());
    srunner_add_suite(sr, cli_suite());
    srunner_add_suite(sr, split_suite());
    srunner_add_suite(sr, kernel128_suite());
    srunner_add_suite(sr, progress_suite());
    srunner_add_suite(sr, pario_suite());
    srunner_add_suite(sr, roles_suite());
    srunner_add_suite(sr, relay_suite());
    srunner_add_suite(sr, stats_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    mf_u64_kernel_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
