/* Clock, per-rank statistics and the JSON statistics report. */
#define _POSIX_C_SOURCE 200809L
#include "mf_stats.h"
#include "mf_sim.h"
#include "mf_buf.h"


#include <errno.h>
#include <stdarg.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

double mf_now(void)
{
    if (mf_sim_enabled())
        return mf_sim_now(); /* simulated: the simulator's clock */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double mf_process_cpu_now(void)
{
    if (mf_sim_enabled())
        return mf_now();
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return mf_now();
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec * 1e-6;
}

double mf_cpu_now(void)
{
    /* a simulated rank's time is its own CPU time: SimGrid runs every rank on the same thread, whose CPU
       clock counts all of them */
    if (mf_sim_enabled())
        return mf_now();
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return mf_now();
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double mf_nap_next(double nap, double idle_s)
{
    double most = idle_s < MF_NAP_PATIENCE_S ? MF_NAP_SHORT_S : MF_NAP_LONG_S;
    double next = 2 * nap;
    if (next < MF_NAP_FIRST_S)
        next = MF_NAP_FIRST_S;
    return next < most ? next : most;
}

void mf_idler_busy(mf_idler *i)
{
    i->nap = MF_NAP_FIRST_S;
    i->since = -1;
}

void mf_idler_nap(mf_idler *i)
{
    double now = mf_now();
    if (i->since < 0)
        i->since = now;
    mf_nap(i->nap);
    i->nap = mf_nap_next(i->nap, mf_now() - i->since);
}

void mf_nap(double s)
{
#ifdef __linux__
    /* Linux lets a sleep run up to 50 us past its end (timer slack) to batch wake-ups: a 20 us nap became
       about 70, and a rank waiting for a message answered that much later. Ask for 1 us of slack, once. */
    static int slack_set = 0;
    if (!slack_set && !mf_sim_enabled()) {
        prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
        slack_set = 1;
    }
#endif
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    mf_sim_enter();
    nanosleep(&ts, NULL);
    mf_sim_leave();
}

double mf_rank0_service_s(const mf_rank_stats *r, double run_s)
{
    return run_s - r->busy_s - r->idle_s;
}

void mf_rank_stats_init(mf_rank_stats *s, int rank)
{
    memset(s, 0, sizeof *s);
    s->rank = rank;
    s->parent = rank == 0 ? -1 : 0;
    if (gethostname(s->host, sizeof s->host - 1) != 0)
        strcpy(s->host, "unknown");
    s->host[sizeof s->host - 1] = '\0';
}

/* Text is built at a cursor (char *p, returned advanced) in an array sized for the worst case, then appended to
   the report at once: one mf_buf call per field (a bounds check, a call and a strlen each) cost 540 ns a row,
   0.55 ms for the 1024 rows of a 1024-rank run (native, AVX-512 Zen 5 VM). */
#define AT_LIT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1) /* a string literal */
#define FIXED6_MAX 330 /* "%.6f" of any double: at most 317 characters (DBL_MAX has 309 digits) */

/* Writes s as a JSON string (host names are plain, but quotes and controls are escaped anyway): at most
   2 + 6 * strlen(s) bytes. */
static char *at_json_string(char *p, const char *s)
{
    *p++ = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c < 0x20) {
            p += snprintf(p, 7, "\\u%04x", c);
        } else {
            *p++ = (char)c;
        }
    }
    *p++ = '"';
    return p;
}

/* Appends s as a JSON string. */
static void put_json_string(mf_buf *b, const char *s)
{
    mf_buf_reserve(b, 2 + 6 * strlen(s) + 1);
    char *p = (char *)b->data + b->len;
    b->len += (size_t)(at_json_string(p, s) - p);
}

/* Appends printf's formatting of the arguments (for the few whole-run fields). */
static void put_fmt(mf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    mf_buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Writes x with six decimals, as "%.6f" prints it (a tie in the seventh decimal may round the other way): at
   most FIXED6_MAX bytes. By hand for the per-rank rows: fprintf's conversions cost rank 0 2.5 ms of a
   1024-rank run (SIMULATED), about 125 ns each. */
static char *at_fixed6(char *p, double x)
{
    if (!(x >= 0 && x < 1e12)) /* negative, huge or not a number: printf's own text */
        return p + snprintf(p, FIXED6_MAX, "%.6f", x);
    uint64_t v = (uint64_t)(x * 1e6 + 0.5);
    p = mf_dec_write(p, v / 1000000);
    *p = '.';
    uint64_t f = v % 1000000;
    for (int i = 6; i >= 1; i--, f /= 10)
        p[i] = (char)('0' + f % 10);
    return p + 7;
}

/* Writes the decimal digits of v, with its sign. */
static char *at_int(char *p, int v)
{
    if (v < 0)
        *p++ = '-';
    return mf_dec_write(p, v < 0 ? (uint64_t)(-(int64_t)v) : (uint64_t)v);
}

#define STATS_CHUNK_BYTES 16384 /* the JSON report goes out in pieces of about this size */
/* The longest row: its keys and punctuation (under 400 bytes), six figures in seconds, a host name escaped. */
#define ROW_MAX (512 + 6 * FIXED6_MAX + 12 * MF_DEC_MAX + 2 + 6 * sizeof ((mf_rank_stats *)0)->host)

/* Appends one rank's row of "per_rank". */
static void put_rank(mf_buf *b, const mf_run_stats *run, const mf_rank_stats *r, int i)
{
    mf_buf_reserve(b, ROW_MAX);
    char *start = (char *)b->data + b->len, *p = start;
    p = i ? AT_LIT(p, ",\n  {\"rank\":") : AT_LIT(p, "\n  {\"rank\":");
    p = at_int(p, r->rank);
    p = AT_LIT(p, ",\"host\":");
    p = at_json_string(p, r->host);
    double service = i == 0 ? mf_rank0_service_s(r, run->wall_s) : r->service_s;
    double service_cpu = i == 0 ? r->cpu_s - r->busy_cpu_s : 0.0;
    p = at_fixed6(AT_LIT(p, ",\"busy_s\":"), r->busy_s);
    p = at_fixed6(AT_LIT(p, ",\"idle_s\":"), r->idle_s);
    p = at_fixed6(AT_LIT(p, ",\"service_s\":"), service > 0 ? service : 0.0);
    p = at_fixed6(AT_LIT(p, ",\"cpu_s\":"), r->cpu_s);
    p = at_fixed6(AT_LIT(p, ",\"busy_cpu_s\":"), r->busy_cpu_s);
    p = at_fixed6(AT_LIT(p, ",\"service_cpu_s\":"), service_cpu > 0 ? service_cpu : 0.0);
    p = mf_dec_write(AT_LIT(p, ",\"numbers\":"), r->numbers);
    p = mf_dec_write(AT_LIT(p, ",\"units\":"), r->units);
    p = mf_dec_write(AT_LIT(p, ",\"ranges\":"), r->ranges);
    p = mf_dec_write(AT_LIT(p, ",\"candidates\":"), r->candidates);
    p = mf_dec_write(AT_LIT(p, ",\"bytes_sent\":"), r->bytes_sent);
    p = mf_dec_write(AT_LIT(p, ",\"bytes_received\":"), r->bytes_received);
    p = at_int(AT_LIT(p, ",\"parent\":"), r->parent);
    p = mf_dec_write(AT_LIT(p, ",\"units_served\":"), r->units_served);
    p = mf_dec_write(AT_LIT(p, ",\"ranges_relayed\":"), r->ranges_relayed);
    p = mf_dec_write(AT_LIT(p, ",\"numbers_split\":"), r->numbers_split);
    p = mf_dec_write(AT_LIT(p, ",\"wasted_candidates\":"), r->wasted_candidates);
    p = mf_dec_write(AT_LIT(p, ",\"ranges_stopped\":"), r->ranges_stopped);
    *p++ = '}';
    b->len += (size_t)(p - start);
}

void mf_stats_write_json(FILE *f, const mf_run_stats *run, const mf_rank_stats *per_rank)
{
    uint64_t candidates = 0, sent = 0, received = 0;
    double compute = 0;
    for (int i = 0; i < run->ranks; i++) {
        candidates += per_rank[i].candidates;
        sent += per_rank[i].bytes_sent;
        received += per_rank[i].bytes_received;
        compute += per_rank[i].busy_s;
    }
    mf_buf b;
    mf_buf_init(&b);
    mf_buf_put_str(&b, "{\"version\":");
    put_json_string(&b, run->version);
    mf_buf_put_str(&b, ",\"kernel\":");
    put_json_string(&b, run->kernel);
    mf_buf_put_str(&b, ",\"kernel128\":");
    put_json_string(&b, run->kernel128 ? run->kernel128 : "");
    put_fmt(&b, ",\"parallel_io\":%s", run->parallel_io ? "true" : "false");
    put_fmt(&b, ",\"leaders\":%d,\"opening\":%d", run->leaders, run->opening);
    mf_buf_put_str(&b, ",\"schedule\":");
    put_json_string(&b, run->schedule ? run->schedule : "adaptive");
    put_fmt(&b, ",\"ranks\":%d,\"wall_s\":%.6f,\"numbers\":%llu,\"invalid_tokens\":%llu,\"unfactored\":%llu,"
               "\"numbers_per_s\":%.3f,\"candidates\":%llu,\"units\":%llu,\"units_handed_back\":%llu,"
               "\"yields_asked\":%llu,\"grain_s\":%.6f,\"numbers_split\":%llu,\"wasted_candidates\":%llu,"
               "\"bytes_sent\":%llu,\"bytes_received\":%llu,\"compute_s\":%.6f,\"exit_code\":%d,\n"
               " \"per_rank\":[",
            run->ranks, run->wall_s, (unsigned long long)run->numbers,
            (unsigned long long)run->invalid_tokens, (unsigned long long)run->unfactored,
            run->wall_s > 0 ? (double)run->numbers / run->wall_s : 0.0,
            (unsigned long long)candidates, (unsigned long long)run->units,
            (unsigned long long)run->units_handed_back, (unsigned long long)run->yields_asked, run->grain_s,
            (unsigned long long)run->numbers_split,
            (unsigned long long)run->wasted_candidates,
            (unsigned long long)sent, (unsigned long long)received, compute, run->exit_code);
    /* written out every STATS_CHUNK_BYTES, so one small buffer serves every row: built whole, the text of 1024
       rows grew the buffer by doubling to 512 KiB, fresh pages each time, and took 2.5 ms in a new process on
       the 2-core VM (a first touch of a page costs 11.5 us there), 0.67 ms in chunks; the rows at a cursor
       (put_rank) took that to 0.25 ms with the file written, 0.155 ms of it formatting */
    mf_buf_reserve(&b, 2 * STATS_CHUNK_BYTES);
    for (int i = 0; i < run->ranks; i++) {
        put_rank(&b, run, &per_rank[i], i);
        if (b.len >= STATS_CHUNK_BYTES) {
            fwrite(b.data, 1, b.len, f); /* a short write shows in the stream's error state (fclose, ferror) */
            mf_buf_reset(&b);
        }
    }
    mf_buf_put_str(&b, "\n ]}\n");
    fwrite(b.data, 1, b.len, f);
    mf_buf_free(&b);
}

int mf_stats_write_file(const char *path, const mf_run_stats *run, const mf_rank_stats *per_rank)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "mpifactor: %s: %s\n", path, strerror(errno));
        return -1;
    }
    mf_stats_write_json(f, run, per_rank);
    if (fclose(f) != 0) {
        fprintf(stderr, "mpifactor: %s: write error\n", path);
        return -1;
    }
    return 0;
}
