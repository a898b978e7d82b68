/* Progress line: numbers finished out of an estimated total, rate, elapsed time and ETA, redrawn in
   place at most twice a second; and the decision whether the user is watching a terminal. */
#define _POSIX_C_SOURCE 200809L
#include "mf_progress.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define BAR_WIDTH 20
#define LAUNCHER_LEVELS 3

/* Reads the parent pid of process pid from /proc; returns it, or -1. */
static long parent_of(long pid)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *close_paren = strrchr(text, ')'); /* the command name may hold spaces and parentheses */
    char state;
    long ppid;
    if (!close_paren || sscanf(close_paren + 1, " %c %ld", &state, &ppid) != 2)
        return -1;
    return ppid;
}

/* Whether process pid holds an open file that is the object (dev, ino). */
static bool holds(long pid, dev_t dev, ino_t ino)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%ld/fd", pid);
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        char path[64 + 256];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        found = stat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
    }
    closedir(d);
    return found;
}

/* Whether the path names a terminal (opened without becoming our controlling terminal). */
static bool is_terminal(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return false;
    bool tty = isatty(fd);
    close(fd);
    return tty;
}

/* Follows stderr through launchers that forward it: true when one of them writes to a terminal. */
static bool stderr_reaches_terminal(void)
{
    struct stat st;
    if (fstat(STDERR_FILENO, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
        return false;
    long pid = (long)getppid();
    for (int level = 0; level < LAUNCHER_LEVELS && pid > 1; level++) {
        if (!holds(pid, st.st_dev, st.st_ino))
            return false; /* nobody above reads our stderr: a pipeline such as `| tee log` */
        char path[64];
        snprintf(path, sizeof path, "/proc/%ld/fd/2", pid);
        if (stat(path, &st) != 0)
            return false;
        if (S_ISCHR(st.st_mode))
            return is_terminal(path);
        if (!(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
            return false; /* a file, /dev/null: redirected */
        pid = parent_of(pid);
    }
    return false;
}

bool mf_progress_wanted(int option)
{
    if (option >= 0)
        return option > 0;
    return isatty(STDERR_FILENO) || stderr_reaches_terminal();
}

void mf_progress_init(mf_progress *p, FILE *f, double now)
{
    memset(p, 0, sizeof *p);
    p->f = f;
    p->start = now;
    p->last = now;
}

/* Appends formatted text at *o in buf, never past buflen - 1. */
static void put(char *buf, size_t buflen, size_t *o, const char *fmt, ...)
{
    if (*o + 1 >= buflen)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *o, buflen - *o, fmt, ap);
    va_end(ap);
    if (n > 0)
        *o += (size_t)n < buflen - *o ? (size_t)n : buflen - *o - 1;
}

/* Appends a duration as HH:MM:SS. */
static void put_duration(char *buf, size_t buflen, size_t *o, double s)
{
    if (s < 0)
        s = 0;
    if (s > 359999)
        s = 359999; /* 99:59:59 */
    long t = (long)(s + 0.5);
    put(buf, buflen, o, "%02ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

size_t mf_progress_format(char *buf, size_t buflen, const mf_progress_view *v)
{
    size_t o = 0;
    if (buflen == 0)
        return 0;
    buf[0] = '\0';
    double rate = v->elapsed > 0 ? (double)v->done_now / v->elapsed : 0;
    if (v->final) {
        put(buf, buflen, &o, "mpifactor: %llu numbers, %.0f/s, ", (unsigned long long)v->done, rate);
        put_duration(buf, buflen, &o, v->elapsed);
        put(buf, buflen, &o, " elapsed");
        if (v->done_now != v->done)
            put(buf, buflen, &o, " (%llu from the checkpoint)", (unsigned long long)(v->done - v->done_now));
        return o;
    }
    double total = v->total;
    if (total >= 0 && total < (double)v->done)
        total = (double)v->done; /* an estimate never below what is done */
    put(buf, buflen, &o, "mpifactor: ");
    if (total > 0) {
        double share = (double)v->done / total;
        int filled = (int)(share * BAR_WIDTH);
        char bar[BAR_WIDTH + 1];
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < filled ? '#' : ' ';
        bar[BAR_WIDTH] = '\0';
        put(buf, buflen, &o, "[%s] %5.1f%% %llu/%s%.0f numbers", bar, 100 * share, (unsigned long long)v->done,
            v->total_exact ? "" : "~", total);
    } else {
        put(buf, buflen, &o, "%llu numbers", (unsigned long long)v->done);
    }
    if (v->done_now > 0)
        put(buf, buflen, &o, ", %.0f/s", rate);
    put(buf, buflen, &o, ", ");
    put_duration(buf, buflen, &o, v->elapsed);
    put(buf, buflen, &o, " elapsed");
    if (total > 0 && v->done_now > 0) {
        put(buf, buflen, &o, ", ETA ");
        put_duration(buf, buflen, &o, (total - (double)v->done) / rate);
    }
    return o;
}

/* Draws line over the previous one: carriage return, the line, blanks over what is left of the old one. */
static void draw(mf_progress *p, const char *line, size_t len, bool final)
{
    fprintf(p->f, "\r%s%*s", line, p->width > len ? (int)(p->width - len) : 0, "");
    if (final)
        fputc('\n', p->f);
    else
        p->width = len;
    fflush(p->f);
}

void mf_progress_update(mf_progress *p, double now, uint64_t done, uint64_t read, double bytes_fraction)
{
    if (!p->f)
        return;
    if (!p->based) {
        p->based = true;
        p->base_done = done;
    }
    if (now - p->last < MF_PROGRESS_INTERVAL_S)
        return;
    p->last = now;
    mf_progress_view v = {
        .elapsed = now - p->start, .done = done, .done_now = done - p->base_done, .total = -1,
    };
    if (bytes_fraction >= 1) {
        v.total = (double)read;
        v.total_exact = true;
    } else if (bytes_fraction > 0 && read > 0) {
        v.total = (double)read / bytes_fraction;
    }
    char line[MF_PROGRESS_LINE_MAX];
    size_t len = mf_progress_format(line, sizeof line, &v);
    draw(p, line, len, false);
}

void mf_progress_finish(mf_progress *p, double now, uint64_t done)
{
    if (!p->f)
        return;
    mf_progress_view v = {
        .elapsed = now - p->start, .done = done, .done_now = done - (p->based ? p->base_done : 0), .final = true,
    };
    char line[MF_PROGRESS_LINE_MAX];
    size_t len = mf_progress_format(line, sizeof line, &v);
    draw(p, line, len, true);
}
