/* Adaptive unit sizes: fixed compute time per unit, shrinking near the end of the input. */
#include "mf_sched.h"

#include <math.h>
#include <stdbool.h>

void mf_sched_init(mf_sched *s, int ranks, uint32_t fixed_lines)
{
    s->fixed_lines = fixed_lines;
    s->ranks = ranks > 0 ? ranks : 1;
    s->cost_per_byte = -1.0;
    s->cost_per_candidate = -1.0;
    s->line_bytes = -1.0;
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
    double candidate_s = s->cost_per_candidate > 0 ? s->cost_per_candidate : MF_SCHED_CANDIDATE_S;
    double worst_s = 0.5 * pow(10.0, digits / 2) * candidate_s;
    double lines = worst_s > 0 ? floor(MF_SCHED_TARGET_S / worst_s) : 1;
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

size_t mf_sched_next_bytes(const mf_sched *s, double remaining)
{
    bool known = s->cost_per_byte >= 0;
    double size = known ? MF_SCHED_TARGET_S / s->cost_per_byte : first_bytes(s);
    if (remaining >= 0) {
        /* guided: shrink near the end (or for a small input on many ranks), but never below units
           worth MF_SCHED_FLOOR_S of work once the cost is known */
        double share = remaining / (2.0 * s->ranks);
        double least = known ? MF_SCHED_FLOOR_S / s->cost_per_byte : 1;
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

uint64_t mf_sched_range_width(const mf_sched *s)
{
    if (s->cost_per_candidate <= 0)
        return MF_SCHED_MIN_RANGE * 16;
    double w = MF_SCHED_TARGET_S / s->cost_per_candidate;
    if (w < (double)MF_SCHED_MIN_RANGE)
        return MF_SCHED_MIN_RANGE;
    if (w > 1e15)
        return UINT64_C(1000000000000000);
    return (uint64_t)w;
}

uint32_t mf_sched_window(int ranks)
{
    return (uint32_t)(ranks > 0 ? ranks : 1) * (MF_UNITS_IN_FLIGHT + 2) + 8;
}
