/* Option parsing verdicts and messages. */
#include <check.h>
#include <string.h>

#include "mf_cli.h"
#include "test_util.h"

/* Parses a NULL-terminated list of arguments (argv[0] added). */
static mf_cli_verdict parse(mf_config *cfg, char *err, const char *const *args)
{
    static char *argv[32];
    static char storage[32][128];
    int argc = 0;
    strcpy(storage[0], "mpifactor");
    argv[argc++] = storage[0];
    for (; *args; args++, argc++) {
        snprintf(storage[argc], sizeof storage[argc], "%s", *args);
        argv[argc] = storage[argc];
    }
    argv[argc] = NULL;
    return mf_cli_parse(cfg, argc, argv, err, 256);
}

START_TEST(defaults_and_options)
{
    mf_config cfg;
    char err[256];
    const char *none[] = {NULL};
    ck_assert_int_eq(parse(&cfg, err, none), MF_CLI_RUN);
    ck_assert(cfg.output == NULL && cfg.format == MF_FORMAT_TEXT && cfg.unit_size == 0 && cfg.ninputs == 0);
    ck_assert(cfg.progress == -1 && cfg.max_divisor == 0 && !cfg.verify);
    ck_assert(cfg.parallel_io_mode == MF_PIO_AUTO && !cfg.parallel_io);
    ck_assert(cfg.checkpoint_interval == 1.0);
    ck_assert_int_eq(cfg.schedule, MF_SCHEDULE_ADAPTIVE);
    const char *sched_map[] = {"--schedule", "map", "-u", "8", NULL}, *sched_static[] = {"--schedule=static", "a", NULL};
    ck_assert_int_eq(parse(&cfg, err, sched_map), MF_CLI_RUN);
    ck_assert(cfg.schedule == MF_SCHEDULE_MAP && cfg.unit_size == 8);
    ck_assert_int_eq(parse(&cfg, err, sched_static), MF_CLI_RUN);
    ck_assert_int_eq(cfg.schedule, MF_SCHEDULE_STATIC);
    const char *interval[] = {"--checkpoint-interval", "0.25", NULL};
    ck_assert_int_eq(parse(&cfg, err, interval), MF_CLI_RUN);
    ck_assert(cfg.checkpoint_interval == 0.25);
    const char *all[] = {"-o", "out.txt", "--format", "jsonl", "-u", "50", "--stats", "s.json", "a.txt",
                         "--max-divisor", "1000", "--time-limit", "2.5", "--verify", "--no-progress",
                         "--checkpoint", "c.ckpt", "--kernel", "scalar", "b.txt", NULL};
    ck_assert_int_eq(parse(&cfg, err, all), MF_CLI_RUN);
    ck_assert_str_eq(cfg.output, "out.txt");
    ck_assert_int_eq(cfg.format, MF_FORMAT_JSONL);
    ck_assert_uint_eq(cfg.unit_size, 50);
    ck_assert_str_eq(cfg.stats_path, "s.json");
    ck_assert_uint_eq(cfg.max_divisor, 1000);
    ck_assert(cfg.time_limit > 2.49 && cfg.time_limit < 2.51 && cfg.verify && cfg.progress == 0);
    ck_assert_int_eq(cfg.kernel, MF_KERNEL_SCALAR);
    ck_assert_int_eq(cfg.ninputs, 2);
    ck_assert_str_eq(cfg.inputs[0], "a.txt");
    ck_assert_str_eq(cfg.inputs[1], "b.txt");
    const char *kernels[] = {"auto", "avx512", "avx2", "scalar", "plain"};
    const mf_u64_kernel parsed[] = {MF_KERNEL_AUTO, MF_KERNEL_AVX512, MF_KERNEL_AVX2, MF_KERNEL_SCALAR, MF_KERNEL_PLAIN};
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        const char *kernel[] = {"--kernel", kernels[i], NULL};
        ck_assert_int_eq(parse(&cfg, err, kernel), MF_CLI_RUN);
        ck_assert_int_eq(cfg.kernel, parsed[i]);
    }
    const char *pio_on[] = {"--parallel-io", "-o", "x", NULL}, *pio_off[] = {"--no-parallel-io", NULL};
    ck_assert_int_eq(parse(&cfg, err, pio_on), MF_CLI_RUN);
    ck_assert(cfg.parallel_io_mode == MF_PIO_ON && cfg.parallel_io);
    ck_assert_int_eq(parse(&cfg, err, pio_off), MF_CLI_RUN);
    ck_assert(cfg.parallel_io_mode == MF_PIO_OFF && !cfg.parallel_io);
    ck_assert(!cfg.no_leaders);
    const char *no_leaders[] = {"--no-leaders", NULL};
    ck_assert_int_eq(parse(&cfg, err, no_leaders), MF_CLI_RUN);
    ck_assert(cfg.no_leaders);
    const char *help[] = {"--help", NULL}, *version[] = {"-V", NULL};
    ck_assert_int_eq(parse(&cfg, err, help), MF_CLI_HELP);
    ck_assert_int_eq(parse(&cfg, err, version), MF_CLI_VERSION);
}
END_TEST

START_TEST(errors_explain_themselves)
{
    mf_config cfg;
    char err[256];
    struct { const char *args[4]; const char *msg; } cases[] = {
        {{"--format", "xml", NULL}, "invalid format 'xml'"},
        {{"-u", "0", NULL}, "invalid unit size '0'"},
        {{"-u", "12abc", NULL}, "invalid unit size '12abc'"},
        {{"--max-divisor", "1", NULL}, "invalid maximum divisor '1'"},
        {{"--time-limit", "-3", NULL}, "invalid time limit '-3'"},
        {{"--checkpoint-interval", "0", NULL}, "invalid checkpoint interval '0'"},
        {{"--checkpoint-interval", "1e6", NULL}, "invalid checkpoint interval '1e6'"},
        {{"--checkpoint-interval", "2s", NULL}, "invalid checkpoint interval '2s'"},
        {{"--bogus", NULL}, "unrecognized option '--bogus'"},
        {{"-z", NULL}, "invalid option -- 'z'"},
        {{"-o", NULL}, "option '-o' needs an argument"},
        {{"--checkpoint", "c", "in.txt", NULL}, "--checkpoint needs -o FILE"},
        {{"--checkpoint", "c", "-o", "out"}, "--checkpoint needs input files"},
        {{"--checkpoint=c", "--output=out", "a.txt", "-"}, "--checkpoint needs input files"},
        {{"--kernel", "gpu", NULL}, "invalid kernel 'gpu'"},
        {{"--parallel-io", "in.txt", NULL}, "--parallel-io needs -o FILE"},
        {{"--schedule", "dynamic", NULL}, "invalid --schedule 'dynamic' (use adaptive, map or static)"},
        {{"--schedule", "static", NULL}, "--schedule static needs input files"},
        {{"--schedule=static", "a.txt", "-"}, "--schedule static needs input files"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[6] = {0};
        for (int k = 0; k < 4 && cases[i].args[k]; k++)
            args[k] = cases[i].args[k];
        ck_assert_int_eq(parse(&cfg, err, args), MF_CLI_ERROR);
        ck_assert_msg(strstr(err, cases[i].msg) != NULL, "got '%s' want '%s'", err, cases[i].msg);
    }
}
END_TEST

/* Whether text names --name as a whole option (not as the tail of --no-name or the head of --name-x). */
static int names_option(const char *text, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = strstr(text, "--"); p; p = strstr(p + 1, "--")) {
        if ((p == text || p[-1] != '-') && strncmp(p + 2, name, len) == 0) {
            char next = p[2 + len];
            if (next != '-' && !(next >= 'a' && next <= 'z'))
                return 1;
        }
    }
    return 0;
}

START_TEST(help_names_every_option)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    mf_cli_usage(f);
    static char text[8192];
    rewind(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    ck_assert(n > 0 && n < sizeof text - 1);
    text[n] = '\0';
    size_t count = 0;
    for (const char *name; (name = mf_cli_long_option(count)) != NULL; count++)
        ck_assert_msg(names_option(text, name), "--help does not name --%s", name);
    ck_assert_uint_ge(count, 15);
    ck_assert(!names_option("--no-progress", "progress") && !names_option("--progress-x", "progress"));
    const char *uses[] = {"mpirun -np N mpifactor", "Needs -o and input files", "1 to 1000000",
                          "-o, --output", "-f, --format", "-u, --unit-size", "-h, --help", "-V, --version",
                          "3 interrupted", "man mpifactor"};
    for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++)
        ck_assert_msg(strstr(text, uses[i]) != NULL, "--help lacks '%s'", uses[i]);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_add_test(tc, defaults_and_options);
    tcase_add_test(tc, errors_explain_themselves);
    tcase_add_test(tc, help_names_every_option);
    suite_add_tcase(s, tc);
    return s;
}
