/* Adaptive unit sizes: fixed compute time per unit, shrinking near the end of the input. */
#include "mf_sched.h"

#include <stdbool.h>

void mf_sched_init(mf_sched *s, int ranks, uint32_t fixed_lines)
{
    s->fixed_lines = fixed_lines;
    s->ranks = ranks > 0 ? ranks : 1;
    s->cost_per_byte = -1.0;
    s->cost_per_candidate = -1.0;
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
    double size = known ? MF_SCHED_TARGET_S / s->cost_per_byte : MF_SCHED_FIRST_BYTES;
    if (remaining >= 0) {
        /* guided: shrink near the end (or for a small input on many ranks), but never below units
           worth MF_SCHED_FLOOR_S of work once the cost is known */
        double share = remaining / (2.0 * s->ranks);
        double floor = known ? MF_SCHED_FLOOR_S / s->cost_per_byte : MF_SCHED_MIN_BYTES;
        if (share < floor)
            share = floor;
        if (size > share)
            size = share;
    }
    if (size < MF_SCHED_MIN_BYTES)
        size = MF_SCHED_MIN_BYTES;
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
