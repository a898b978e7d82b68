/* Work-unit sizing for dynamic (pull) scheduling (pure: no MPI, no clock).

   Text units aim at a fixed compute time each, from the measured cost per input byte, so cheap numbers
   travel in large slices and costly ones in small ones. The first units, sent before any cost is known, hold
   as many lines as fit the target if each held a number at its worst case (a prime: about sqrt(n) / 2 trial
   divisors, n read off the line length), at most MF_SCHED_FIRST_MAX_BYTES. Near the end of a known-size input, units shrink (guided self-scheduling) so all ranks finish
   together. A unit that still runs past MF_SCHED_HANDBACK_S hands back its unstarted rest, and the number in
   progress is split into candidate ranges of MF_SCHED_TARGET_S each. */
#ifndef MPIFACTOR_SCHED_H
#define MPIFACTOR_SCHED_H

#include <stddef.h>
#include <stdint.h>

#define MF_SCHED_TARGET_S 0.05      /* aimed compute seconds per unit */
#define MF_SCHED_HANDBACK_S 0.1     /* a unit busy this long hands back its rest and splits its number */
#define MF_SCHED_YIELD_S 0.01       /* while ranks idle with nothing to hand out, a text unit running this long
                                       is asked to hand back at once */
#define MF_SCHED_FLOOR_S 0.005      /* near the end, units still carry at least this much work */
#define MF_SCHED_FIRST_BYTES 256u   /* slices before any cost or line length is known: a few dozen numbers */
#define MF_SCHED_FIRST_MAX_BYTES 4096u /* slices before any cost is known, at most */
#define MF_SCHED_CANDIDATE_S 2e-9   /* assumed seconds per trial divisor before any is measured (pessimistic) */
#define MF_SCHED_MAX_BYTES 65536u   /* about 8000 numbers of 7 digits */
#define MF_SCHED_MIN_RANGE (UINT64_C(1) << 16)  /* candidates per range unit, at least */
#define MF_UNITS_IN_FLIGHT 2        /* units a worker holds: one running, one queued */

typedef struct mf_sched {
    uint32_t fixed_lines;     /* --unit-size (input lines per unit), or 0 for adaptive */
    int ranks;                /* ranks that factorize */
    double cost_per_byte;     /* smoothed compute seconds per input byte, < 0 before any measurement */
    double cost_per_candidate;/* smoothed seconds per candidate of split numbers, < 0 before any */
    double line_bytes;        /* the input's mean line length, < 0 before it is known */
} mf_sched;

/* Initializes the scheduler for `ranks` computing ranks; fixed_lines 0 selects adaptive sizes. */
void mf_sched_init(mf_sched *s, int ranks, uint32_t fixed_lines);
/* Feeds back a finished text unit: `bytes` bytes of input took busy_s seconds of compute. */
void mf_sched_observe(mf_sched *s, size_t bytes, double busy_s);
/* Feeds back candidates tested in busy_s seconds (a split number's first part, or a range). */
void mf_sched_observe_candidates(mf_sched *s, uint64_t candidates, double busy_s);
/* Records the input's mean line length in bytes (one number per line assumed), for the first units. */
void mf_sched_observe_lines(mf_sched *s, double bytes_per_line);
/* Bytes of input for the next text unit. remaining: input bytes not yet handed out, or < 0 when unknown. */
size_t mf_sched_next_bytes(const mf_sched *s, double remaining);
/* Candidates per range unit of a split number (about MF_SCHED_TARGET_S of work each). */
uint64_t mf_sched_range_width(const mf_sched *s);
/* Segments the master may hold between the next result to write and the newest unit handed out. */
uint32_t mf_sched_window(int ranks);

#endif
