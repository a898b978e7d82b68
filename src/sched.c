/* Adaptive unit sizes: fixed compute time per unit, shrinking near the end of the input. */
#include "mf_sched.h"

void mf_sched_init(mf_sched *s, int ranks, uint32_t fixed_size)
{
    s->fixed = fixed_size;
    s->ranks = ranks > 0 ? ranks : 1;
    s->cost_per_number = -1.0;
}

void mf_sched_observe(mf_sched *s, uint32_t numbers, double busy_s)
{
    if (numbers == 0 || busy_s < 0)
        return;
    double c = busy_s / numbers;
    if (c < 1e-9)
        c = 1e-9;
    s->cost_per_number = s->cost_per_number < 0 ? c : 0.7 * s->cost_per_number + 0.3 * c;
}

uint32_t mf_sched_next_size(const mf_sched *s, double remaining)
{
    if (s->fixed)
        return s->fixed;
    double size = s->cost_per_number < 0 ? MF_SCHED_FIRST_UNIT : MF_SCHED_TARGET_S / s->cost_per_number;
    if (remaining >= 0) {
        /* guided: shrink near the end, but never below units worth MF_SCHED_FLOOR_S of work */
        double share = remaining / (2.0 * s->ranks);
        double floor = s->cost_per_number < 0 ? 1 : MF_SCHED_FLOOR_S / s->cost_per_number;
        if (share < floor)
            share = floor;
        if (size > share)
            size = share;
    }
    if (size < MF_SCHED_MIN_UNIT)
        size = MF_SCHED_MIN_UNIT;
    if (size > MF_SCHED_MAX_UNIT)
        size = MF_SCHED_MAX_UNIT;
    return (uint32_t)size;
}

uint32_t mf_sched_window(int ranks)
{
    return (uint32_t)(ranks > 0 ? ranks : 1) * (MF_UNITS_IN_FLIGHT + 2) + 8;
}
