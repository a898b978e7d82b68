/* How many candidates one slice of factoring may test between two looks at the messages, so that a slice lasts
   about a set time on any CPU and kernel (pure: no clock, no MPI).

   A candidate costs from about 0.1 ns (AVX-512, small numbers) to several ns (portable code, big numbers), so a
   fixed budget makes a rank look at its messages 20 times too often on one CPU and too seldom on another. The
   pace learns the budget from the slices that ran it in full: next budget = budget x target / seconds taken,
   moved at most 4x per slice (one disturbed slice does not swing it) and kept within [MF_PACE_LEAST,
   MF_PACE_MOST]. A token counts as a few candidates in the budget (mf_runner), so text units pace the same way. */
#ifndef MPIFACTOR_PACE_H
#define MPIFACTOR_PACE_H

#include <stdint.h>

#define MF_PACE_LEAST (UINT64_C(1) << 12)
#define MF_PACE_MOST (UINT64_C(1) << 32)

typedef struct mf_pace {
    double target_s;  /* aimed seconds per slice */
    uint64_t budget;  /* the next slice's budget in candidates */
} mf_pace;

/* Starts a pace aiming at target_s seconds per slice, with `first` candidates for the first slice (clamped to
   [MF_PACE_LEAST, MF_PACE_MOST]). */
void mf_pace_init(mf_pace *p, double target_s, uint64_t first);
/* The budget for the next slice. */
uint64_t mf_pace_budget(const mf_pace *p);
/* Feeds back a slice that tested its whole `budget` in `seconds` (a slice that ended early, its unit
   finished or cut short to hand back, says nothing about the pace and is not fed back). seconds <= 0 (a
   clock too coarse) doubles the budget. */
void mf_pace_observe(mf_pace *p, uint64_t budget, double seconds);

#endif
