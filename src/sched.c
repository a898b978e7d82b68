/* Adaptive unit and range sizes: a compute time per unit from measured costs, shrinking near the end, never
   below the grain that rank 0's measured service time sets; and the policy (adaptive, map, static) that
   decides what each rank may get and whether a unit may be asked to hand back. */
#include "mf_sched.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

void mf_sched_init(mf_sched *s, int ranks, uint32_t fixed_lines)
{
    s->fixed_lines = fixed_lines;
    s->ranks = ranks > 0 ? ranks : 1;
    s->served = s->ranks;
    s->cost_per_byte = -1.0;
    s->cost_per_candidate = -1.0;
    s->line_bytes = -1.0;
    s->service_s = -1.0;
    s->input_bytes = -2.0; /* not yet observed (-1: observed unknown) */
    s->kernel_candidate_s = -1.0;
    s->policy = MF_SCHEDULE_ADAPTIVE;
    s->divided = false;
    s->chunk_lines = s->chunk_extra = s->chunk_left = 0;
    s->chunk = 0;
}

static const char *const policy_names[] = {"adaptive", "map", "static"};

int mf_schedule_parse(const char *name, mf_schedule *p)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, policy_names[i]) == 0) {
            *p = (mf_schedule)i;
            return 0;
        }
    }
    return -1;
}

const char *mf_schedule_name(mf_schedule p)
{
    return (unsigned)p < 3 ? policy_names[p] : "?";
}

void mf_sched_set_policy(mf_sched *s, mf_schedule p)
{
    s->policy = p;
    if (p == MF_SCHEDULE_MAP && s->fixed_lines == 0)
        s->fixed_lines = 1; /* executor.map's default chunksize: one number at a time */
    if (p == MF_SCHEDULE_STATIC) {
        mf_sched_divide(s, 0); /* until the count comes: everything in the last chunk (rank 0's) */
        s->divided = false;
    }
}

bool mf_sched_may_yield(const mf_sched *s)
{
    return s->policy == MF_SCHEDULE_ADAPTIVE;
}

bool mf_sched_wants_line_count(const mf_sched *s)
{
    return s->policy == MF_SCHEDULE_STATIC && !s->divided;
}

/* The rank that factors static chunk k: chunk k to rank k + 1, the last to rank 0 (which serves too). */
static int chunk_owner(const mf_sched *s, int k)
{
    return (k + 1) % s->ranks;
}

/* Lines of static chunk k: the last one takes all that is left, whatever the count said. */
static uint64_t chunk_size(const mf_sched *s, int k)
{
    if (k >= s->ranks - 1)
        return UINT64_MAX;
    return s->chunk_lines + ((uint64_t)k < s->chunk_extra);
}

/* Moves past used-up chunks (empty ones too) to the next that has lines left; the last one never runs out. */
static void next_chunk(mf_sched *s)
{
    while (s->chunk_left == 0 && s->chunk < s->ranks - 1) {
        s->chunk++;
        s->chunk_left = chunk_size(s, s->chunk);
    }
}

void mf_sched_divide(mf_sched *s, uint64_t lines)
{
    if (s->policy != MF_SCHEDULE_STATIC)
        return;
    s->divided = true;
    s->chunk_lines = lines / (uint64_t)s->ranks;
    s->chunk_extra = lines % (uint64_t)s->ranks;
    s->chunk = 0;
    s->chunk_left = chunk_size(s, 0);
    next_chunk(s);
}

bool mf_sched_next_lines(const mf_sched *s, int w, uint32_t *lines)
{
    if (s->policy != MF_SCHEDULE_STATIC) {
        *lines = s->fixed_lines;
        return true;
    }
    if (chunk_owner(s, s->chunk) != w)
        return false;
    /* a chunk goes out as one unit, or as one per file where it spans files (a slice ends with its file) */
    *lines = s->chunk_left > UINT32_MAX ? UINT32_MAX : (uint32_t)s->chunk_left;
    return true;
}

void mf_sched_took_lines(mf_sched *s, uint64_t lines)
{
    if (s->policy != MF_SCHEDULE_STATIC)
        return;
    if (s->chunk < s->ranks - 1) /* the last chunk takes everything left */
        s->chunk_left = lines < s->chunk_left ? s->chunk_left - lines : 0;
    next_chunk(s);
}

void mf_sched_observe_service(mf_sched *s, double service_s, uint64_t units)
{
    if (units >= 16 && service_s > 0) /* the first few units time start-up more than service */
        s->service_s = service_s / (double)units;
}

/* Rank 0's service seconds per unit: measured, or assumed until then. */
static double service_per_unit(const mf_sched *s)
{
    return s->service_s > 0 ? s->service_s : MF_SCHED_SERVICE_S;
}

void mf_sched_set_served(mf_sched *s, int served)
{
    s->served = served > 0 && served <= s->ranks ? served : s->ranks;
}

double mf_sched_grain_s(const mf_sched *s)
{
    return MF_SCHED_GRAIN_SHARE * (double)s->served * service_per_unit(s);
}

bool mf_sched_serve_only(double service_s, double elapsed_s, int ranks)
{
    return ranks >= MF_SCHED_SERVE_ONLY_RANKS && elapsed_s > 0 && service_s > MF_SCHED_SERVE_ONLY_SHARE * elapsed_s;
}

double mf_sched_yield_age_s(const mf_sched *s)
{
    return MF_SCHED_GRAIN_SHARE * service_per_unit(s);
}

/* The most compute seconds a unit aims at: the target, or the grain where serving the ranks needs more. */
static double target_s(const mf_sched *s)
{
    double grain = mf_sched_grain_s(s);
    return grain > MF_SCHED_TARGET_S ? grain : MF_SCHED_TARGET_S;
}

void mf_sched_observe_input(mf_sched *s, double bytes)
{
    if (s->input_bytes < -1.5)
        s->input_bytes = bytes >= 0 ? bytes : -1.0;
}

/* Whether some cost has been measured (a text unit's or a split number's). */
static bool cost_known(const mf_sched *s)
{
    return s->cost_per_byte >= 0 || s->cost_per_candidate > 0;
}

int mf_sched_in_flight(const mf_sched *s)
{
    return s->policy == MF_SCHEDULE_ADAPTIVE && !cost_known(s) ? 1 : MF_UNITS_IN_FLIGHT;
}

void mf_sched_observe_kernel(mf_sched *s, double seconds_per_candidate)
{
    if (seconds_per_candidate > 0)
        s->kernel_candidate_s = seconds_per_candidate;
}

/* Seconds per candidate before any is measured in a unit: the kernel's as timed, else the slowest kernel's. */
static double prior_candidate_s(const mf_sched *s)
{
    return s->kernel_candidate_s > 0 ? s->kernel_candidate_s : MF_SCHED_CANDIDATE_S;
}

void mf_sched_observe_lines(mf_sched *s, double bytes_per_line)
{
    if (bytes_per_line >= 1)
        s->line_bytes = bytes_per_line;
}

/* Size of a unit before any cost is measured: the lines whose numbers, each at its worst case, fill the
   target (at least one line), or MF_SCHED_FIRST_BYTES when the line length is unknown. */
static double first_bytes(const mf_sched *s)
{
    if (s->line_bytes < 1)
        return MF_SCHED_FIRST_BYTES;
    double digits = s->line_bytes > 2 ? s->line_bytes - 1 : 1; /* less the newline */
    double candidate_s = s->cost_per_candidate > 0 ? s->cost_per_candidate : prior_candidate_s(s);
    double worst_s = 0.5 * pow(10.0, digits / 2) * candidate_s;
    double lines = worst_s > 0 ? floor(target_s(s) / worst_s) : 1;
    double size = (lines < 1 ? 1 : lines) * s->line_bytes;
    return size < MF_SCHED_FIRST_MAX_BYTES ? size : MF_SCHED_FIRST_MAX_BYTES;
}

/* Exponentially smoothed average that starts at its first sample. */
static void smooth(double *avg, double sample)
{
    *avg = *avg < 0 ? sample : 0.7 * *avg + 0.3 * sample;
}

void mf_sched_observe(mf_sched *s, size_t bytes, double busy_s)
{
    if (bytes == 0 || busy_s < 0)
        return;
    double c = busy_s / (double)bytes;
    smooth(&s->cost_per_byte, c < 1e-12 ? 1e-12 : c);
}

void mf_sched_observe_candidates(mf_sched *s, uint64_t candidates, double busy_s)
{
    if (candidates < 1024 || busy_s <= 0)
        return; /* too small to time */
    smooth(&s->cost_per_candidate, busy_s / (double)candidates);
}

/* An eighth, not a quarter: SIMULATED, random40 (0.102 ns per candidate, AVX2 Zen 3 VM, three interleaved rounds
   each), at 64 ranks a quarter took 71.0-73.9 ms against 70.1-70.4 with no opening (the leaders idled more: 1.9-3.5
   ms against 0.5-1.0 in one run each), an eighth 69.7-71.2; at 1024 ranks an eighth 7.62-7.81 ms, a quarter
   7.45-8.62, none 7.94-9.43; at 256 ranks either 19.7-20.1 against 19.9-20.4. */
uint64_t mf_sched_opening_bytes(uint64_t first_input_bytes, uint64_t served)
{
    uint64_t opening = first_input_bytes / MF_OPENING_SHARE;
    if (served == 0 || opening / served < MF_OPENING_LEAST_BYTES)
        return 0;
    return opening;
}

uint64_t mf_sched_opening_offset(uint64_t opening, uint64_t at, uint64_t total)
{
    if (total == 0)
        return 0;
    /* opening = q * total + r: q * at + r * at / total, with r * at < total^2 < 2^62 */
    return opening / total * at + opening % total * at / total;
}

size_t mf_sched_next_bytes(const mf_sched *s, double remaining)
{
    bool known = s->cost_per_byte >= 0;
    double size = known ? target_s(s) / s->cost_per_byte : first_bytes(s);
    if (!known && s->input_bytes > 0) {
        /* the first round: an even share of the whole input each where that is not much more (no guided
           shrink: the cost is unknown, and what turns out uneven is handed back on demand) */
        double share = ceil(s->input_bytes / s->ranks);
        if (share <= MF_SCHED_FIRST_STRETCH * size)
            size = share;
    } else if (remaining >= 0) {
        /* guided: shrink near the end (or for a small input on many ranks), but never below a grain of work
           once the cost is known */
        double share = remaining / (2.0 * s->ranks);
        double least = known ? mf_sched_grain_s(s) / s->cost_per_byte : 1;
        /* ... nor above half of a rank's share of the whole input: where serving every rank twice takes longer
           than that share of work (cheap numbers on thousands of ranks), units of a grain would give half the
           ranks a double share and the others none */
        if (s->input_bytes > 0 && least > s->input_bytes / (2.0 * s->ranks))
            least = s->input_bytes / (2.0 * s->ranks);
        /* ... except at the end, where the input left cannot give every rank that much: the first ranks to ask
           took it all in units of a grain, and finished that much later than the rest (SIMULATED, 10,000,000
           cheap numbers on 1024 ranks, 64 node leaders: the nodes ended 3.4-4.3 ms apart of a 52 ms run, 1.6-3.3
           with an even share; 1,000,000 on 256 ranks: 0.7-1.3 against 0.4-0.5). Rank 0 then serves a few more,
           smaller units in the last rounds, while every rank still holds its previous one. */
        double even = remaining / s->ranks;
        if (known && even < least)
            least = even > least / MF_SCHED_END_FLOOR ? even : least / MF_SCHED_END_FLOOR;
        if (share < least)
            share = least;
        if (size > share)
            size = share;
    }
    /* as little as one line when its numbers are costly (the slicer cuts at the first newline from here) */
    if (size < 1)
        size = 1;
    if (size > MF_SCHED_MAX_BYTES)
        size = MF_SCHED_MAX_BYTES;
    return (size_t)size;
}

/* Candidates worth `seconds` of compute at the measured cost, within [MF_SCHED_MIN_RANGE, 10^15]. */
static uint64_t candidates_for(const mf_sched *s, double seconds)
{
    double c = s->cost_per_candidate > 0 ? s->cost_per_candidate : prior_candidate_s(s);
    double w = seconds / c;
    if (w < (double)MF_SCHED_MIN_RANGE)
        return MF_SCHED_MIN_RANGE;
    if (w > 1e15)
        return UINT64_C(1000000000000000);
    return (uint64_t)w;
}

mf_range_size mf_sched_range_size(const mf_sched *s)
{
    return (mf_range_size){.most = candidates_for(s, target_s(s)), .least = candidates_for(s, mf_sched_grain_s(s)),
                           .ways = (uint32_t)s->served};
}

uint64_t mf_sched_split_least(const mf_sched *s)
{
    return 2 * mf_sched_range_size(s).least;
}

uint64_t mf_range_size_pick(const mf_range_size *z, uint64_t left)
{
    uint64_t ways = z->ways ? 2 * (uint64_t)z->ways : 2;
    uint64_t w = left / ways + (left % ways != 0);
    if (w > z->most)
        w = z->most;
    if (w < z->least)
        w = z->least;
    return w ? w : 1;
}

uint32_t mf_sched_window(int ranks)
{
    return (uint32_t)(ranks > 0 ? ranks : 1) * (MF_UNITS_IN_FLIGHT + 2) + 8;
}
