/* Clock, per-rank statistics and the JSON statistics report. */
#define _POSIX_C_SOURCE 200809L
#include "mf_stats.h"
#include "mf_sim.h"


#include <errno.h>
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

void mf_rank_stats_init(mf_rank_stats *s, int rank)
{
    memset(s, 0, sizeof *s);
    s->rank = rank;
    s->parent = rank == 0 ? -1 : 0;
    if (gethostname(s->host, sizeof s->host - 1) != 0)
        strcpy(s->host, "unknown");
    s->host[sizeof s->host - 1] = '\0';
}

/* Writes s as a JSON string (host names are plain, but escape quotes and controls anyway). */
static void put_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
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
    fprintf(f, "{\"version\":");
    put_json_string(f, run->version);
    fprintf(f, ",\"kernel\":");
    put_json_string(f, run->kernel);
    fprintf(f, ",\"kernel128\":");
    put_json_string(f, run->kernel128 ? run->kernel128 : "");
    fprintf(f, ",\"parallel_io\":%s", run->parallel_io ? "true" : "false");
    fprintf(f, ",\"leaders\":%d", run->leaders);
    fprintf(f, ",\"schedule\":");
    put_json_string(f, run->schedule ? run->schedule : "adaptive");
    fprintf(f, ",\"ranks\":%d,\"wall_s\":%.6f,\"numbers\":%llu,\"invalid_tokens\":%llu,\"unfactored\":%llu,"
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
    for (int i = 0; i < run->ranks; i++) {
        const mf_rank_stats *r = &per_rank[i];
        fprintf(f, "%s\n  {\"rank\":%d,\"host\":", i ? "," : "", r->rank);
        put_json_string(f, r->host);
        double service = i == 0 ? run->wall_s - r->busy_s - r->idle_s : r->service_s;
        double service_cpu = i == 0 ? r->cpu_s - r->busy_cpu_s : 0.0;
        fprintf(f, ",\"busy_s\":%.6f,\"idle_s\":%.6f,\"service_s\":%.6f,\"cpu_s\":%.6f,\"busy_cpu_s\":%.6f,"
                   "\"service_cpu_s\":%.6f,"
                   "\"numbers\":%llu,\"units\":%llu,\"ranges\":%llu,\"candidates\":%llu,\"bytes_sent\":%llu,"
                   "\"bytes_received\":%llu,\"parent\":%d,\"units_served\":%llu,\"ranges_relayed\":%llu,"
                   "\"numbers_split\":%llu,\"wasted_candidates\":%llu,\"ranges_stopped\":%llu}",
                r->busy_s, r->idle_s, service > 0 ? service : 0.0, r->cpu_s, r->busy_cpu_s,
                service_cpu > 0 ? service_cpu : 0.0,
                (unsigned long long)r->numbers, (unsigned long long)r->units, (unsigned long long)r->ranges,
                (unsigned long long)r->candidates, (unsigned long long)r->bytes_sent,
                (unsigned long long)r->bytes_received, r->parent, (unsigned long long)r->units_served,
                (unsigned long long)r->ranges_relayed, (unsigned long long)r->numbers_split,
                (unsigned long long)r->wasted_candidates, (unsigned long long)r->ranges_stopped);
    }
    fprintf(f, "\n ]}\n");
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
