/* Slice budgets that last a set time on any CPU: learnt from the slices that ran in full. */
#include "mf_pace.h"

static uint64_t clamp_budget(double b)
{
    if (!(b >= (double)MF_PACE_LEAST)) /* NaN too */
        return MF_PACE_LEAST;
    if (b >= (double)MF_PACE_MOST)
        return MF_PACE_MOST;
    return (uint64_t)b;
}

void mf_pace_init(mf_pace *p, double target_s, uint64_t first)
{
    p->target_s = target_s > 0 ? target_s : 1e-3;
    p->budget = clamp_budget((double)first);
}

uint64_t mf_pace_budget(const mf_pace *p)
{
    return p->budget;
}

void mf_pace_observe(mf_pace *p, uint64_t budget, double seconds)
{
    if (budget == 0)
        return;
    double factor = seconds > 0 ? p->target_s / seconds : 4.0;
    if (factor > 4.0)
        factor = 4.0;
    if (factor < 0.25)
        factor = 0.25;
    p->budget = clamp_budget((double)budget * factor);
}
