/* Work-unit sizing for dynamic (pull) scheduling (pure: no MPI, no clock).

   Units aim at a fixed compute time each, from the measured cost per number, so cheap numbers travel
   in large batches and costly ones in small units; near the end of a known-size input, units shrink
   (guided self-scheduling) so all ranks finish together. */
#ifndef MPIFACTOR_SCHED_H
#define MPIFACTOR_SCHED_H

#include <stdint.h>

#define MF_SCHED_MIN_UNIT 1u
#define MF_SCHED_MAX_UNIT 8192u
#define MF_SCHED_FIRST_UNIT 16u
#define MF_SCHED_TARGET_S 0.05   /* aimed compute seconds per unit */
#define MF_SCHED_FLOOR_S 0.005   /* near the end, units still carry at least this much work */
#define MF_UNITS_IN_FLIGHT 2     /* units a worker holds: one running, one queued */

typedef struct mf_sched {
    uint32_t fixed;           /* --unit-size, or 0 for adaptive */
    int ranks;                /* ranks that factorize */
    double cost_per_number;   /* smoothed seconds per number, < 0 before any measurement */
} mf_sched;

/* Initializes the scheduler for `ranks` computing ranks; fixed_size 0 selects adaptive sizes. */
void mf_sched_init(mf_sched *s, int ranks, uint32_t fixed_size);
/* Feeds back a finished unit: `numbers` numbers took busy_s seconds of compute. */
void mf_sched_observe(mf_sched *s, uint32_t numbers, double busy_s);
/* Size of the next unit. remaining: estimated numbers left in the input, or < 0 when unknown. */
uint32_t mf_sched_next_size(const mf_sched *s, double remaining);
/* Units the master keeps between the next unit to write and the newest unit handed out. */
uint32_t mf_sched_window(int ranks);

#endif
