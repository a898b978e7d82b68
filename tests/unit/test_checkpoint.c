/* Checkpoint files: create, commit, resume, torn and corrupt records, another input's checkpoint. */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mf_checkpoint.h"
#include "test_util.h"

static void temp_path(char *path, size_t len)
{
    snprintf(path, len, "/tmp/mf-unit-ckpt-XXXXXX");
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
}

START_TEST(commit_and_resume)
{
    char path[64], err[256];
    temp_path(path, sizeof path);
    mf_checkpoint c;
    ck_assert_int_eq(mf_checkpoint_open(&c, path, 0xabcdef, err, sizeof err), 0);
    ck_assert(!c.resumed && c.done == 0 && c.out_bytes == 0);
    ck_assert_int_eq(mf_checkpoint_commit(&c, 10, 100, err, sizeof err), 0);
    ck_assert_int_eq(mf_checkpoint_commit(&c, 25, 260, err, sizeof err), 0);
    mf_checkpoint_close(&c);
    ck_assert_int_eq(mf_checkpoint_open(&c, path, 0xabcdef, err, sizeof err), 0);
    ck_assert(c.resumed && c.done == 25 && c.out_bytes == 260);
    ck_assert_int_eq(mf_checkpoint_commit(&c, 30, 300, err, sizeof err), 0);
    mf_checkpoint_close(&c);
    ck_assert_int_eq(mf_checkpoint_open(&c, path, 0xabcdef, err, sizeof err), 0);
    ck_assert(c.done == 30 && c.out_bytes == 300);
    mf_checkpoint_close(&c);
    unlink(path);
}
END_TEST

START_TEST(torn_record_is_ignored_and_cut)
{
    char path[64], err[256];
    temp_path(path, sizeof path);
    mf_checkpoint c;
    ck_assert_int_eq(mf_checkpoint_open(&c, path, 7, err, sizeof err), 0);
    ck_assert_int_eq(mf_checkpoint_commit(&c, 10, 100, err, sizeof err), 0);
    ck_assert_int_eq(mf_checkpoint_commit(&c, 20, 200, err, sizeof err), 0);
    mf_checkpoint_close(&c);
    struct stat st;
    stat(path, &st);
    /* every truncation inside the last record falls back to the previous one */
    for (off_t cut = 1; cut < 22; cut++) {
        ck_assert_int_eq(truncate(path, st.st_size - cut), 0);
        ck_assert_int_eq(mf_checkpoint_open(&c, path, 7, err, sizeof err), 0);
        ck_assert_msg(c.done == 10 && c.out_bytes == 100, "cut %ld: done %llu", (long)cut,
                      (unsigned long long)c.done);
        ck_assert_int_eq(mf_checkpoint_commit(&c, 20, 200, err, sizeof err), 0);
        mf_checkpoint_close(&c);
        ck_assert_int_eq(mf_checkpoint_open(&c, path, 7, err, sizeof err), 0);
        ck_assert(c.done == 20 && c.out_bytes == 200);
        mf_checkpoint_close(&c);
    }
    /* a corrupted digit fails the record's check */
    FILE *f = fopen(path, "r+");
    fseek(f, -12, SEEK_END);
    fputc('9', f);
    fclose(f);
    ck_assert_int_eq(mf_checkpoint_open(&c, path, 7, err, sizeof err), 0);
    ck_assert(c.done == 10);
    mf_checkpoint_close(&c);
    unlink(path);
}
END_TEST

START_TEST(other_input_is_refused)
{
    char path[64], err[256];
    temp_path(path, sizeof path);
    mf_checkpoint c;
    ck_assert_int_eq(mf_checkpoint_open(&c, path, 1, err, sizeof err), 0);
    mf_checkpoint_close(&c);
    ck_assert_int_eq(mf_checkpoint_open(&c, path, 2, err, sizeof err), -1);
    ck_assert(strstr(err, "belongs to another input") != NULL);
    /* a file that is not a checkpoint is never overwritten */
    FILE *f = fopen(path, "w");
    fputs("precious data\n", f);
    fclose(f);
    ck_assert_int_eq(mf_checkpoint_open(&c, path, 1, err, sizeof err), -1);
    ck_assert(strstr(err, "not an mpifactor checkpoint") != NULL);
    f = fopen(path, "r");
    char line[64];
    ck_assert(fgets(line, sizeof line, f) && strcmp(line, "precious data\n") == 0);
    fclose(f);
    unlink(path);
}
END_TEST

START_TEST(fingerprint_tracks_content_and_options)
{
    char path[64], err[256];
    temp_path(path, sizeof path);
    FILE *f = fopen(path, "w");
    fputs("1 2 3\n", f);
    fclose(f);
    const char *paths[] = {path};
    uint64_t a, b, c;
    ck_assert_int_eq(mf_fingerprint(&a, paths, 1, "format=text", err, sizeof err), 0);
    ck_assert_int_eq(mf_fingerprint(&b, paths, 1, "format=csv", err, sizeof err), 0);
    ck_assert(a != b);
    f = fopen(path, "a");
    fputs("4\n", f);
    fclose(f);
    ck_assert_int_eq(mf_fingerprint(&c, paths, 1, "format=text", err, sizeof err), 0);
    ck_assert(a != c);
    unlink(path);
    ck_assert_int_eq(mf_fingerprint(&c, paths, 1, "format=text", err, sizeof err), -1);
}
END_TEST

Suite *checkpoint_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("checkpoint");
    tcase_add_test(tc, commit_and_resume);
    tcase_add_test(tc, torn_record_is_ignored_and_cut);
    tcase_add_test(tc, other_input_is_refused);
    tcase_add_test(tc, fingerprint_tracks_content_and_options);
    suite_add_tcase(s, tc);
    return s;
}
