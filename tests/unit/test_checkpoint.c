/* Checkpoint files: create, commit, resume, torn and corrupt records, another input's checkpoint. */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

START_TEST(older_format_gets_a_clear_message)
{
    char path[64], err[512];
    temp_path(path, sizeof path);
    const char old[] = "mpifactor-checkpoint 1 0123456789abcdef\ndone 10 100 deadbeef\n";
    FILE *f = fopen(path, "w");
    fputs(old, f);
    fclose(f);
    mf_checkpoint c;
    ck_assert_int_eq(mf_checkpoint_open(&c, path, 0x0123456789abcdef, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "checkpoint format 1 was written by another version of mpifactor") != NULL, "%s", err);
    ck_assert(strstr(err, "remove the checkpoint and the output file to start over") != NULL);
    char back[128] = "";
    f = fopen(path, "r");
    size_t n = fread(back, 1, sizeof back - 1, f);
    fclose(f);
    back[n] = '\0';
    ck_assert_str_eq(back, old); /* left as it was */
    unlink(path);
}
END_TEST

/* Tries to open path from a child process; returns its exit status: 0 opened, 1 refused as in use, 2 other. */
static int open_in_child(const char *path)
{
    pid_t pid = fork();
    if (pid == 0) {
        mf_checkpoint c;
        char err[256], want[128];
        int rc = mf_checkpoint_open(&c, path, 5, err, sizeof err);
        snprintf(want, sizeof want, "checkpoint %s is in use by another run", path);
        _exit(rc == 0 ? 0 : strcmp(err, want) == 0 ? 1 : 2);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

START_TEST(checkpoint_in_use_is_refused_untouched)
{
    char path[64], err[256];
    temp_path(path, sizeof path);
    mf_checkpoint c;
    ck_assert_int_eq(mf_checkpoint_open(&c, path, 5, err, sizeof err), 0);
    ck_assert_int_eq(mf_checkpoint_commit(&c, 10, 100, err, sizeof err), 0);
    /* a torn tail that a second opener would cut off if it went on */
    ck_assert_int_eq(write(c.fd, "done 2", 6), 6);
    struct stat before, after;
    ck_assert_int_eq(stat(path, &before), 0);
    ck_assert_int_eq(open_in_child(path), 1);
    ck_assert_int_eq(stat(path, &after), 0);
    ck_assert_int_eq(after.st_size, before.st_size);
    /* a lock taken with mf_checkpoint_lock alone (before the input is fingerprinted) also counts */
    mf_checkpoint_close(&c);
    ck_assert_int_eq(mf_checkpoint_lock(&c, path, err, sizeof err), 0);
    ck_assert_int_eq(open_in_child(path), 1);
    mf_checkpoint_close(&c);
    /* released on close: the next run resumes */
    ck_assert_int_eq(open_in_child(path), 0);
    ck_assert_int_eq(mf_checkpoint_open(&c, path, 5, err, sizeof err), 0);
    ck_assert(c.resumed && c.done == 10 && c.out_bytes == 100);
    mf_checkpoint_close(&c);
    unlink(path);
}
END_TEST

START_TEST(fingerprint_large_files_and_boundaries)
{
    /* 3 MiB + 5 bytes: crosses read chunks; one changed byte anywhere changes the fingerprint */
    char p1[64], p2[64], err[256];
    temp_path(p1, sizeof p1);
    temp_path(p2, sizeof p2);
    size_t n = (3u << 20) + 5;
    char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('0' + mf_test_range(0, 9));
    const char *paths[] = {p1, p2};
    uint64_t base, other;
    FILE *f = fopen(p1, "w");
    fwrite(data, 1, n, f);
    fclose(f);
    ck_assert_int_eq(mf_fingerprint(&base, paths, 1, "x", err, sizeof err), 0);
    size_t at[] = {0, (1u << 20) - 1, 1u << 20, n / 2, n - 1};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        data[at[k]] ^= 1;
        f = fopen(p1, "w");
        fwrite(data, 1, n, f);
        fclose(f);
        ck_assert_int_eq(mf_fingerprint(&other, paths, 1, "x", err, sizeof err), 0);
        ck_assert_msg(other != base, "byte %zu changed, fingerprint did not", at[k]);
        data[at[k]] ^= 1;
    }
    /* the same bytes split differently between two files */
    f = fopen(p1, "w");
    fwrite(data, 1, 100, f);
    fclose(f);
    f = fopen(p2, "w");
    fwrite(data + 100, 1, 100, f);
    fclose(f);
    ck_assert_int_eq(mf_fingerprint(&base, paths, 2, "x", err, sizeof err), 0);
    f = fopen(p1, "w");
    fwrite(data, 1, 101, f);
    fclose(f);
    f = fopen(p2, "w");
    fwrite(data + 101, 1, 99, f);
    fclose(f);
    ck_assert_int_eq(mf_fingerprint(&other, paths, 2, "x", err, sizeof err), 0);
    ck_assert(other != base);
    ck_assert_int_eq(mf_fingerprint(&base, paths, 2, "x", err, sizeof err), 0);
    ck_assert(other == base); /* and it is deterministic */
    free(data);
    unlink(p1);
    unlink(p2);
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
    tcase_add_test(tc, older_format_gets_a_clear_message);
    tcase_add_test(tc, checkpoint_in_use_is_refused_untouched);
    tcase_add_test(tc, fingerprint_large_files_and_boundaries);
    suite_add_tcase(s, tc);
    return s;
}
