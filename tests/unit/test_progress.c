/* The progress line: its text, redraws that leave nothing stale, the rate limit, and when it is shown. */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mf_progress.h"
#include "test_util.h"

static const char *format(const mf_progress_view *v)
{
    static char line[MF_PROGRESS_LINE_MAX];
    size_t n = mf_progress_format(line, sizeof line, v);
    ck_assert_uint_eq(n, strlen(line));
    return line;
}

START_TEST(line_text)
{
    mf_progress_view v = {.elapsed = 3, .done = 900, .done_now = 900, .total = 2000};
    ck_assert_str_eq(format(&v), "mpifactor: [#########           ]  45.0% 900/~2000 numbers, 300/s, "
                                 "00:00:03 elapsed, ETA 00:00:04");
    /* nothing finished yet: no rate and no ETA (not 'ETA 00:00:00') */
    v = (mf_progress_view){.elapsed = 1.2, .done = 0, .done_now = 0, .total = 2000};
    ck_assert_str_eq(format(&v), "mpifactor: [                    ]   0.0% 0/~2000 numbers, 00:00:01 elapsed");
    /* the whole input read: the total is exact */
    v = (mf_progress_view){.elapsed = 3725, .done = 1990, .done_now = 1990, .total = 2000, .total_exact = true};
    ck_assert_str_eq(format(&v), "mpifactor: [################### ]  99.5% 1990/2000 numbers, 1/s, "
                                 "01:02:05 elapsed, ETA 00:00:19");
    /* total unknown (standard input) */
    v = (mf_progress_view){.elapsed = 2, .done = 12, .done_now = 12, .total = -1};
    ck_assert_str_eq(format(&v), "mpifactor: 12 numbers, 6/s, 00:00:02 elapsed");
    /* an estimate below what is done is raised to it */
    v = (mf_progress_view){.elapsed = 2, .done = 50, .done_now = 50, .total = 40};
    ck_assert_str_eq(format(&v), "mpifactor: [####################] 100.0% 50/~50 numbers, 25/s, "
                                 "00:00:02 elapsed, ETA 00:00:00");
    /* resumed: the rate and the ETA come from this run's work, the share from all of it */
    v = (mf_progress_view){.elapsed = 10, .done = 1100, .done_now = 100, .total = 2000};
    ck_assert_str_eq(format(&v), "mpifactor: [###########         ]  55.0% 1100/~2000 numbers, 10/s, "
                                 "00:00:10 elapsed, ETA 00:01:30");
    v = (mf_progress_view){.elapsed = 7, .done = 2000, .done_now = 2000, .final = true};
    ck_assert_str_eq(format(&v), "mpifactor: 2000 numbers, 286/s, 00:00:07 elapsed");
    v = (mf_progress_view){.elapsed = 10, .done = 2000, .done_now = 1000, .final = true};
    ck_assert_str_eq(format(&v), "mpifactor: 2000 numbers, 100/s, 00:00:10 elapsed (1000 from the checkpoint)");
}
END_TEST

START_TEST(small_buffers_stay_terminated)
{
    mf_progress_view v = {.elapsed = 3, .done = 900, .done_now = 900, .total = 2000};
    char full[MF_PROGRESS_LINE_MAX];
    size_t n = mf_progress_format(full, sizeof full, &v);
    for (size_t len = 1; len < 40; len++) {
        char small[40];
        memset(small, 'Q', sizeof small);
        size_t m = mf_progress_format(small, len, &v);
        ck_assert_uint_eq(m, strlen(small));
        ck_assert_uint_lt(m, len);
        ck_assert(strncmp(small, full, m) == 0);
    }
    ck_assert_uint_gt(n, 40);
}
END_TEST

/* Runs updates and a finish into a memory stream and returns what was written (caller frees). */
static char *drive(void (*script)(mf_progress *))
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    mf_progress p;
    mf_progress_init(&p, f, 100.0);
    script(&p);
    fclose(f);
    return text;
}

static void rate_limit_script(mf_progress *p)
{
    mf_progress_update(p, 100.1, 0, 10, 0.1);   /* too early: nothing */
    mf_progress_update(p, 100.4, 0, 10, 0.1);   /* too early: nothing */
    mf_progress_update(p, 100.6, 0, 10, 0.1);   /* drawn: ~100 numbers */
    mf_progress_update(p, 100.9, 5, 50, 0.5);   /* within 0.5 s of the last: nothing */
    mf_progress_update(p, 101.2, 100, 100, 1);  /* drawn: exact total, all done */
}

START_TEST(redraws_at_most_twice_a_second)
{
    char *text = drive(rate_limit_script);
    ck_assert_str_eq(text, "\rmpifactor: [                    ]   0.0% 0/~100 numbers, 00:00:01 elapsed"
                           "\rmpifactor: [####################] 100.0% 100/100 numbers, 83/s, 00:00:01 elapsed, "
                           "ETA 00:00:00");
    free(text);
}
END_TEST

static void shrinking_script(mf_progress *p)
{
    mf_progress_update(p, 100.2, 0, 0, 0);        /* too early to draw; 0 numbers before this run */
    mf_progress_update(p, 101, 3, 10, 0.5);       /* long line */
    mf_progress_update(p, 102, 5, 10, -1);        /* shorter line: padded over the old one */
    mf_progress_finish(p, 103, 1234567);          /* final line, padded, then a newline */
}

START_TEST(redraws_leave_nothing_stale)
{
    char *text = drive(shrinking_script);
    const char *first = "mpifactor: [###                 ]  15.0% 3/~20 numbers, 3/s, 00:00:01 elapsed, ETA 00:00:06";
    const char *second = "mpifactor: 5 numbers, 2/s, 00:00:02 elapsed";
    const char *last = "mpifactor: 1234567 numbers, 411522/s, 00:00:03 elapsed";
    char want[1024];
    int w1 = (int)strlen(first);
    snprintf(want, sizeof want, "\r%s\r%s%*s\r%s%*s\n", first, second, w1 - (int)strlen(second), "", last,
             (int)strlen(second) - (int)strlen(last) > 0 ? (int)strlen(second) - (int)strlen(last) : 0, "");
    ck_assert_str_eq(text, want);
    /* what a terminal shows at the end: the last line alone, nothing left of the longer first one */
    char screen[256];
    memset(screen, ' ', sizeof screen);
    size_t col = 0, rows = 0;
    for (const char *c = text; *c; c++) {
        if (*c == '\r')
            col = 0;
        else if (*c == '\n')
            rows++;
        else if (col < sizeof screen)
            screen[col++] = *c;
    }
    ck_assert_uint_eq(rows, 1);
    size_t end = sizeof screen;
    while (end > 0 && screen[end - 1] == ' ')
        end--;
    ck_assert_uint_eq(end, strlen(last));
    ck_assert(memcmp(screen, last, end) == 0);
    free(text);
}
END_TEST

static void disabled_script(mf_progress *p)
{
    p->f = NULL;
    mf_progress_update(p, 105, 1, 1, 1);
    mf_progress_finish(p, 106, 1);
}

START_TEST(disabled_writes_nothing)
{
    char *text = drive(disabled_script);
    ck_assert_str_eq(text, "");
    free(text);
}
END_TEST

/* Opens a new pseudo-terminal; returns the descriptor of its terminal side (master in *master_fd). */
static int open_pty(int *master_fd)
{
    *master_fd = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert(*master_fd >= 0);
    ck_assert(grantpt(*master_fd) == 0 && unlockpt(*master_fd) == 0);
    int fd = open(ptsname(*master_fd), O_RDWR | O_NOCTTY);
    ck_assert(fd >= 0);
    return fd;
}

/* mf_progress_wanted(-1) with stderr replaced by fd. */
static bool wanted_with_stderr(int fd)
{
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    bool w = mf_progress_wanted(-1);
    dup2(saved, STDERR_FILENO);
    close(saved);
    return w;
}

/* Forks a "rank" whose stderr is a pipe that this process (the "launcher") holds, with the launcher's
   own stderr set to launcher_err; returns what the rank's mf_progress_wanted(-1) said. */
static bool wanted_under_launcher(int launcher_err, bool launcher_holds_pipe)
{
    int saved = dup(STDERR_FILENO);
    dup2(launcher_err, STDERR_FILENO);
    int pipefd[2];
    ck_assert(pipe(pipefd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        if (!launcher_holds_pipe)
            usleep(100000); /* the launcher closes its end meanwhile, as a shell does for `| tee` */
        _exit(mf_progress_wanted(-1) ? 10 : 11);
    }
    if (!launcher_holds_pipe) {
        close(pipefd[0]);
        close(pipefd[1]);
    }
    int status;
    waitpid(pid, &status, 0);
    if (launcher_holds_pipe) {
        close(pipefd[0]);
        close(pipefd[1]);
    }
    dup2(saved, STDERR_FILENO);
    close(saved);
    ck_assert(WIFEXITED(status));
    return WEXITSTATUS(status) == 10;
}

START_TEST(shown_when_a_terminal_is_watching)
{
    ck_assert(mf_progress_wanted(1));
    ck_assert(!mf_progress_wanted(0));
    int master_fd, tty = open_pty(&master_fd);
    FILE *tmp = tmpfile();
    int file_fd = fileno(tmp);
    int null_fd = open("/dev/null", O_WRONLY);
    /* stderr itself */
    ck_assert(wanted_with_stderr(tty));
    ck_assert(!wanted_with_stderr(file_fd));
    ck_assert(!wanted_with_stderr(null_fd));
    /* stderr forwarded by a launcher (as mpirun does for rank 0) */
    ck_assert(wanted_under_launcher(tty, true));
    ck_assert(!wanted_under_launcher(file_fd, true));   /* mpirun ... 2> log */
    ck_assert(!wanted_under_launcher(null_fd, true));   /* batch jobs */
    ck_assert(!wanted_under_launcher(tty, false));      /* nobody above reads the pipe: ... | tee log */
    close(null_fd);
    fclose(tmp);
    close(tty);
    close(master_fd);
}
END_TEST

Suite *progress_suite(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("progress");
    tcase_add_test(tc, line_text);
    tcase_add_test(tc, small_buffers_stay_terminated);
    tcase_add_test(tc, redraws_at_most_twice_a_second);
    tcase_add_test(tc, redraws_leave_nothing_stale);
    tcase_add_test(tc, disabled_writes_nothing);
    tcase_add_test(tc, shown_when_a_terminal_is_watching);
    suite_add_tcase(s, tc);
    return s;
}
