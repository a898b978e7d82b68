/* Shared helpers for the unit tests: a seeded generator and suite constructors. */
#ifndef MPIFACTOR_TEST_UTIL_H
#define MPIFACTOR_TEST_UTIL_H

#include <check.h>
#include <stdint.h>

/* The seed of this run (MF_TEST_SEED or the clock), printed by main so failures can be replayed. */
extern uint64_t mf_test_seed;
/* xorshift64* generator seeded from mf_test_seed. */
uint64_t mf_test_rand(void);
/* Uniform in [lo, hi]. */
uint64_t mf_test_range(uint64_t lo, uint64_t hi);

Suite *kernel_suite(void);
Suite *factor_suite(void);
Suite *input_suite(void);
Suite *codec_suite(void);
Suite *block_suite(void);
Suite *team_suite(void);
Suite *sched_suite(void);
Suite *order_suite(void);
Suite *runner_suite(void);
Suite *output_suite(void);
Suite *checkpoint_suite(void);
Suite *cli_suite(void);
Suite *split_suite(void);
Suite *kernel128_suite(void);
Suite *progress_suite(void);
Suite *pario_suite(void);
Suite *roles_suite(void);
Suite *relay_suite(void);
Suite *stats_suite(void);

#endif
