/* One file, one role: the pure conflict search on made-up files, and real paths (links, files not there yet,
   devices, standard input) in a temporary directory. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mf_cli.h"
#include "mf_roles.h"
#include "test_util.h"

static char dir[64];
static char paths[8][128];

/* A fresh temporary directory for each test (removed by teardown). */
static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/mf-test-roles-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* DIR/name in slot i (static storage). */
static const char *at(int i, const char *name)
{
    snprintf(paths[i], sizeof paths[i], "%s/%s", dir, name);
    return paths[i];
}

static void make_file(const char *path)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("6\n", f);
    fclose(f);
}

/* Whether the two paths, identified in roles a and b, name one file. */
static bool same(mf_role ra, const char *a, mf_role rb, const char *b)
{
    mf_role_file fa, fb;
    ck_assert_int_eq(mf_role_identify(&fa, ra, a), 0);
    ck_assert_int_eq(mf_role_identify(&fb, rb, b), 0);
    bool s = mf_role_same(&fa, &fb);
    ck_assert(s == mf_role_same(&fb, &fa));
    mf_role_release(&fa);
    mf_role_release(&fb);
    return s;
}

static mf_role_file made_up(mf_role role, const char *path, uint64_t ino)
{
    mf_role_file f;
    memset(&f, 0, sizeof f);
    f.role = role;
    f.path = path;
    f.exists = true;
    f.dev = 1;
    f.ino = ino;
    return f;
}

START_TEST(conflicts_between_roles_only)
{
    char err[256] = "";
    mf_role_file f[5] = {made_up(MF_ROLE_INPUT, "a", 10), made_up(MF_ROLE_INPUT, "a", 10),
                         made_up(MF_ROLE_OUTPUT, "o", 11), made_up(MF_ROLE_CHECKPOINT, "c", 12),
                         made_up(MF_ROLE_STATS, "s", 13)};
    ck_assert(!mf_roles_conflict(f, 5, err, sizeof err)); /* the same input twice is one role */
    ck_assert_str_eq(err, "");
    f[2].ino = 10;
    ck_assert(mf_roles_conflict(f, 5, err, sizeof err));
    ck_assert_str_eq(err, "a is both an input file and, as o, the output (-o)");
    f[2] = made_up(MF_ROLE_OUTPUT, "c", 12);
    ck_assert(mf_roles_conflict(f, 5, err, sizeof err));
    ck_assert_str_eq(err, "c is both the output (-o) and the checkpoint (--checkpoint)");
    f[2].ino = 11;
    f[4].ino = 12;
    ck_assert(mf_roles_conflict(f, 5, err, sizeof err));
    ck_assert_str_eq(err, "c is both the checkpoint (--checkpoint) and, as s, the statistics file (--stats)");
    f[4].dev = 2; /* another device: another file */
    ck_assert(!mf_roles_conflict(f, 5, err, sizeof err));
    f[4] = made_up(MF_ROLE_STATS, "a", 10);
    f[4].exempt = true; /* a character device */
    ck_assert(!mf_roles_conflict(f, 5, err, sizeof err));
    ck_assert(!mf_roles_conflict(f, 0, err, sizeof err));
}
END_TEST

START_TEST(an_input_after_the_others_is_still_checked)
{
    char err[256];
    mf_role_file f[3] = {made_up(MF_ROLE_OUTPUT, "o", 7), made_up(MF_ROLE_INPUT, "x", 8),
                         made_up(MF_ROLE_INPUT, "o", 7)};
    ck_assert(mf_roles_conflict(f, 3, err, sizeof err));
    ck_assert_str_eq(err, "o is both the output (-o) and an input file");
}
END_TEST

START_TEST(links_name_the_file_they_lead_to)
{
    const char *file = at(0, "in.txt"), *sym = at(1, "sym"), *hard = at(2, "hard"), *other = at(3, "other");
    make_file(file);
    make_file(other);
    ck_assert_int_eq(symlink("in.txt", sym), 0);
    ck_assert_int_eq(link(file, hard), 0);
    ck_assert(same(MF_ROLE_INPUT, file, MF_ROLE_OUTPUT, file));
    ck_assert(same(MF_ROLE_INPUT, file, MF_ROLE_OUTPUT, sym));
    ck_assert(same(MF_ROLE_INPUT, file, MF_ROLE_STATS, hard));
    ck_assert(!same(MF_ROLE_INPUT, file, MF_ROLE_OUTPUT, other));
}
END_TEST

START_TEST(files_not_there_yet_by_real_directory_and_name)
{
    const char *sub = at(0, "sub"), *plain = at(1, "new.txt"), *dotted = at(2, "sub/../new.txt");
    const char *dirlink = at(3, "dirlink"), *via = at(4, "dirlink/new.txt"), *in_sub = at(5, "sub/new.txt");
    const char *dangling = at(6, "dangling");
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    ck_assert_int_eq(symlink("sub", dirlink), 0);
    ck_assert_int_eq(symlink("sub/new.txt", dangling), 0);
    ck_assert(same(MF_ROLE_OUTPUT, plain, MF_ROLE_STATS, dotted));
    ck_assert(same(MF_ROLE_OUTPUT, in_sub, MF_ROLE_CHECKPOINT, via));
    ck_assert(same(MF_ROLE_OUTPUT, dangling, MF_ROLE_STATS, in_sub)); /* writing the link creates sub/new.txt */
    ck_assert(!same(MF_ROLE_OUTPUT, plain, MF_ROLE_STATS, in_sub));
    /* relative to the working directory */
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(dir), 0);
    bool s = same(MF_ROLE_OUTPUT, "new.txt", MF_ROLE_STATS, plain) && same(MF_ROLE_OUTPUT, "./new.txt", MF_ROLE_STATS, "sub/../new.txt");
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert(s);
    /* a directory that does not exist: compared as given */
    ck_assert(same(MF_ROLE_OUTPUT, at(0, "none/x"), MF_ROLE_STATS, at(1, "none/x")));
    ck_assert(!same(MF_ROLE_OUTPUT, at(0, "none/x"), MF_ROLE_STATS, at(1, "none/../x")));
}
END_TEST

START_TEST(standard_input_and_devices_are_exempt)
{
    ck_assert(!same(MF_ROLE_INPUT, "-", MF_ROLE_INPUT, "-"));
    ck_assert(!same(MF_ROLE_OUTPUT, "/dev/null", MF_ROLE_STATS, "/dev/null"));
    ck_assert(!same(MF_ROLE_INPUT, "/dev/null", MF_ROLE_OUTPUT, "/dev/null"));
    /* "-" is standard input only as an input: -o - writes a file named "-" */
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(dir), 0);
    bool s = same(MF_ROLE_OUTPUT, "-", MF_ROLE_STATS, "./-");
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert(s);
}
END_TEST

START_TEST(check_of_a_configuration)
{
    const char *in = at(0, "in.txt"), *in2 = at(1, "in2.txt"), *out = at(2, "out.txt"), *ck = at(3, "run.ckpt");
    make_file(in);
    make_file(in2);
    const char *inputs[] = {in, "-", in, in2};
    mf_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.inputs = inputs;
    cfg.ninputs = 4;
    cfg.output = out;
    cfg.checkpoint = ck;
    cfg.stats_path = "/dev/null";
    char err[512] = "";
    ck_assert_int_eq(mf_roles_check(&cfg, err, sizeof err), 0);
    ck_assert_str_eq(err, "");
    cfg.stats_path = in2;
    ck_assert_int_eq(mf_roles_check(&cfg, err, sizeof err), 1);
    char want[512];
    snprintf(want, sizeof want, "%s is both an input file and the statistics file (--stats)", in2);
    ck_assert_str_eq(err, want);
    cfg.stats_path = NULL;
    cfg.checkpoint = out;
    ck_assert_int_eq(mf_roles_check(&cfg, err, sizeof err), 1);
    snprintf(want, sizeof want, "%s is both the output (-o) and the checkpoint (--checkpoint)", out);
    ck_assert_str_eq(err, want);
    ck_assert_int_eq(access(out, F_OK), -1); /* nothing was created */
    cfg.ninputs = 0; /* standard input, output to a file */
    cfg.checkpoint = NULL;
    ck_assert_int_eq(mf_roles_check(&cfg, err, sizeof err), 0);
}
END_TEST

Suite *roles_suite(void)
{
    Suite *s = suite_create("roles");
    TCase *tc = tcase_create("roles");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, conflicts_between_roles_only);
    tcase_add_test(tc, an_input_after_the_others_is_still_checked);
    tcase_add_test(tc, links_name_the_file_they_lead_to);
    tcase_add_test(tc, files_not_there_yet_by_real_directory_and_name);
    tcase_add_test(tc, standard_input_and_devices_are_exempt);
    tcase_add_test(tc, check_of_a_configuration);
    suite_add_tcase(s, tc);
    return s;
}
