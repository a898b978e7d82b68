/* Unit tests for the --stats JSON report: every rank's row, its figures as printf would print them. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mf_stats.h"
#include "test_util.h"

/* Seconds up to 10^4 whose seventh decimal is no tie: "%.6f" rounds the exact binary value, the report the
   value times 10^6, and the two may differ by one in the last digit on a tie. */
static double away_from_ties(void)
{
    return (double)mf_test_range(0, 100000000000ULL) * 1e-7 + 2.5e-8;
}

/* The report of `ranks` ranks as a NUL-terminated string (caller frees). */
static char *report(const mf_run_stats *run, const mf_rank_stats *per_rank)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    mf_stats_write_json(f, run, per_rank);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

START_TEST(rows_match_printf)
{
    enum { RANKS = 300 };
    mf_rank_stats *pr = calloc(RANKS, sizeof *pr);
    ck_assert_ptr_nonnull(pr);
    static const double fixed[] = {0.0, 1e-7, 4.9e-7, 5.1e-7, 0.000001, 0.0123456, 0.9999994, 0.9999996, 1.5,
                                   12.345678, 999.9999999, 86400.25, 3e6, 123456789.123456};
    const size_t nfixed = sizeof fixed / sizeof fixed[0];
    for (int i = 0; i < RANKS; i++) {
        mf_rank_stats_init(&pr[i], i);
        pr[i].busy_s = (size_t)i < nfixed ? fixed[i] : away_from_ties();
        pr[i].idle_s = away_from_ties();
        pr[i].cpu_s = away_from_ties();
        pr[i].busy_cpu_s = away_from_ties();
        pr[i].service_s = away_from_ties();
        pr[i].candidates = mf_test_rand();
        pr[i].numbers = UINT64_MAX - (uint64_t)i;
        pr[i].units = (uint64_t)i;
        pr[i].parent = i == 0 ? -1 : i / 16 * 16;
        pr[i].ranges_stopped = (uint64_t)i * 3;
    }
    pr[0].busy_cpu_s = 0; /* rank 0's service_cpu_s = cpu_s - busy_cpu_s: a difference may land on a tie */
    strcpy(pr[7].host, "a\"b\\c\td");
    mf_run_stats run = {.version = "9.9", .kernel = "scalar", .kernel128 = "scalar", .ranks = RANKS, .wall_s = 2.5,
                        .schedule = "adaptive"};
    char *text = report(&run, pr);
    char want[1024];
    const char *at = text;
    for (int i = 0; i < RANKS; i++) {
        const mf_rank_stats *r = &pr[i];
        double service = i == 0 ? run.wall_s - r->busy_s - r->idle_s : r->service_s;
        double service_cpu = i == 0 ? r->cpu_s - r->busy_cpu_s : 0.0;
        snprintf(want, sizeof want,
                 "\"busy_s\":%.6f,\"idle_s\":%.6f,\"service_s\":%.6f,\"cpu_s\":%.6f,\"busy_cpu_s\":%.6f,"
                 "\"service_cpu_s\":%.6f,\"numbers\":%llu,\"units\":%llu,\"ranges\":0,\"candidates\":%llu,"
                 "\"bytes_sent\":0,\"bytes_received\":0,\"parent\":%d,\"units_served\":0,\"ranges_relayed\":0,"
                 "\"numbers_split\":0,\"wasted_candidates\":0,\"ranges_stopped\":%llu}",
                 r->busy_s, r->idle_s, service > 0 ? service : 0.0, r->cpu_s, r->busy_cpu_s,
                 service_cpu > 0 ? service_cpu : 0.0, (unsigned long long)r->numbers,
                 (unsigned long long)r->units, (unsigned long long)r->candidates, r->parent,
                 (unsigned long long)r->ranges_stopped);
        const char *row = strstr(at, want);
        ck_assert_msg(row != NULL, "rank %d: no row %s", i, want);
        at = row + strlen(want);
    }
    ck_assert_ptr_nonnull(strstr(text, "\"host\":\"a\\\"b\\\\c\\u0009d\""));
    ck_assert_ptr_nonnull(strstr(text, "\"ranks\":300,\"wall_s\":2.500000,"));
    ck_assert_str_eq(at, "\n ]}\n");
    free(text);
    free(pr);
}
END_TEST

START_TEST(negative_and_huge_as_printf)
{
    mf_rank_stats r;
    mf_rank_stats_init(&r, 0);
    r.busy_s = 5e12;
    r.idle_s = 0.25;
    mf_run_stats run = {.version = "1", .kernel = "k", .kernel128 = NULL, .ranks = 1, .wall_s = 0.1};
    r.cpu_s = -0.5; /* a clock that went back: printed, not hidden */
    r.busy_cpu_s = -1e300; /* the longest text "%.6f" gives, where a row's room is counted */
    char *text = report(&run, &r);
    ck_assert_ptr_nonnull(strstr(text, "\"busy_s\":5000000000000.000000,\"idle_s\":0.250000,\"service_s\":0.000000,"
                                       "\"cpu_s\":-0.500000,"));
    char want[400];
    snprintf(want, sizeof want, ",\"busy_cpu_s\":%.6f,\"service_cpu_s\":%.6f,\"numbers\":0,", r.busy_cpu_s,
             r.cpu_s - r.busy_cpu_s);
    ck_assert_ptr_nonnull(strstr(text, want));
    ck_assert_ptr_nonnull(strstr(text, "\"kernel128\":\"\",\"parallel_io\":false"));
    free(text);
}
END_TEST

Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, rows_match_printf);
    tcase_add_test(tc, negative_and_huge_as_printf);
    suite_add_tcase(s, tc);
    return s;
}
