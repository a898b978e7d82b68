/* Work-unit sizing for dynamic (pull) scheduling (pure: no MPI, no clock).

   Text units aim at a compute time each, from the measured cost per input byte, so cheap numbers travel in
   large slices and costly ones in small ones. The first units, sent before any cost is known, hold as many
   lines as fit the target if each held a number at its worst case (a prime: about sqrt(n) / 2 trial
   divisors, n read off the line length), at most MF_SCHED_FIRST_MAX_BYTES. That first round is one unit per
   rank (mf_sched_in_flight): a second unit queued behind one of unknown cost is a blind guess, and where the
   whole input is small, an even share each (the input's bytes over the ranks, when that is at most
   MF_SCHED_FIRST_STRETCH times the first bound) hands it all out in as few messages as a static division
   would; what turns out uneven is handed back on demand. Near the end of a known-size input, units shrink
   (guided self-scheduling: the work left over twice the ranks) so all ranks finish together, and so do the
   candidate ranges of a split number.

   No decision waits on a fixed clock: a unit hands back its rest, or with none left its number in progress to
   be split into ranges, only when a rank would otherwise idle (the master asks; see mf_flights_pick_yield). The least
   work worth a message, the grain, comes from the run: rank 0's measured service time per unit times the
   ranks it serves (MF_SCHED_GRAIN_SHARE times over), so that serving every rank once takes at most half of
   a unit's time at any scale: units and ranges carry at least a grain, or half of a rank's share of the whole input
   where that is less (cheap numbers on thousands of ranks, where rank 0 cannot serve every rank twice anyway). A unit must have run a few service
   times (mf_sched_yield_age_s) before it is asked to hand back, so that one barely started does not move. MF_SCHED_TARGET_S bounds a unit's time only so that results reach the
   output, the checkpoint and the progress line often; it is raised to the grain where that is larger.

   That is the adaptive policy (--schedule adaptive, the default). Two classic policies stand beside it for
   comparison, as decisions the master asks for (mf_sched_may_yield, mf_sched_next_lines): map hands out
   fixed_lines lines per unit (1 unless --unit-size says otherwise) to whichever rank is free, like Python's
   executor.map with its chunksize; static divides the input's lines into one contiguous chunk per rank,
   as equal as can be, each handed only to its rank (chunk k to rank k + 1, the last to rank 0, which also
   serves). Neither ever asks a unit to hand back, so neither splits a number. */
#ifndef MPIFACTOR_SCHED_H
#define MPIFACTOR_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MF_SCHED_TARGET_S 0.05      /* aimed compute seconds per unit at most (responsiveness, not balance) */
#define MF_SCHED_SERVICE_S 20e-6    /* rank 0's service seconds per unit assumed until measured */
#define MF_SCHED_GRAIN_SHARE 2      /* a grain is this many times the time to serve every rank one unit */
#define MF_SCHED_FIRST_BYTES 256u   /* slices before any cost or line length is known: a few dozen numbers */
#define MF_SCHED_FIRST_MAX_BYTES 4096u /* slices before any cost is known, at most */
#define MF_SCHED_FIRST_STRETCH 2    /* an even share of a small input may be this many times that first bound */
#define MF_SCHED_CANDIDATE_S 2e-9   /* seconds per trial divisor assumed for the first units only, before any
                                       is measured or the kernel is timed (the slowest kernel's: first units err
                                       on the small side) */
#define MF_SCHED_END_FLOOR 4        /* at the end of the input a unit may shrink to the grain over this (below) */
#define MF_SCHED_SERVE_ONLY_SHARE 0.5 /* rank 0 takes no unit of its own once serving took more of its run ... */
#define MF_SCHED_SERVE_ONLY_RANKS 256 /* ... among this many ranks or more (its own share of the compute: 1/ranks) */
#define MF_SCHED_MAX_BYTES 65536u   /* about 8000 numbers of 7 digits */
#define MF_SCHED_MIN_RANGE (UINT64_C(1) << 16)  /* candidates per range unit, at least */
#define MF_UNITS_IN_FLIGHT 2        /* units a worker holds: one running, one queued */
#define MF_SLICES_IN_FLIGHT 3       /* slices a node leader holds (the most any rank holds): see mf_master_dispatch */
#define MF_OPENING_SHARE 8          /* the opening: the first input's first 1/this, over the node leaders ... */
#define MF_OPENING_LEAST_BYTES 32u  /* ... where that gives each rank they serve this many bytes at least */

/* How work is handed out (--schedule). */
typedef enum mf_schedule { MF_SCHEDULE_ADAPTIVE, MF_SCHEDULE_MAP, MF_SCHEDULE_STATIC } mf_schedule;

typedef struct mf_sched {
    mf_schedule policy;
    uint32_t fixed_lines;     /* --unit-size (input lines per unit), or 0 for adaptive */
    int ranks;                /* ranks that factorize */
    int served;               /* ranks this one hands units to, itself included (its kids: fewer than ranks with
                                 node leaders, each standing for its node) */
    double cost_per_byte;     /* smoothed compute seconds per input byte, < 0 before any measurement */
    double cost_per_candidate;/* smoothed seconds per candidate of split numbers, < 0 before any */
    double line_bytes;        /* the input's mean line length, < 0 before it is known */
    double service_s;         /* rank 0's service seconds per unit handed out, < 0 before any measurement */
    double input_bytes;       /* the input's bytes to hand out when the first unit was cut, < 0 unknown */
    double kernel_candidate_s;/* the kernel's seconds per candidate timed at start-up, < 0 when not timed */
    /* static: lines per chunk (the first chunk_extra chunks one more), the chunk being cut and its lines left */
    bool divided;
    uint64_t chunk_lines;
    uint64_t chunk_extra;
    int chunk;
    uint64_t chunk_left;
} mf_sched;

/* How wide the next candidate range of a split number is: the candidates left over twice `ways` ranks
   (guided), within [least, most]. A fixed width w is {w, w, 1}. */
typedef struct mf_range_size {
    uint64_t most, least;
    uint32_t ways;
} mf_range_size;

/* Initializes the scheduler for `ranks` computing ranks (rank 0 included), policy adaptive; fixed_lines 0
   selects adaptive sizes. */
void mf_sched_init(mf_sched *s, int ranks, uint32_t fixed_lines);
/* Records that this rank serves `served` ranks, itself included, of the sched's ranks (rank 0 with node leaders:
   its node's ranks and the leaders; mf_sched_init assumes all). The grain and the ways a number is split count
   these: serving them once is what a round of hand-outs costs, and a range goes to one of them. Text units for a
   kid standing for w ranks are the caller's to scale (w times mf_sched_next_bytes). */
void mf_sched_set_served(mf_sched *s, int served);
/* Parses a policy name (adaptive, map, static) into *p. Returns 0, or -1 for any other name. */
int mf_schedule_parse(const char *name, mf_schedule *p);
/* The name of policy p ("adaptive", "map" or "static"). */
const char *mf_schedule_name(mf_schedule p);
/* Selects the policy (after mf_sched_init). map without fixed_lines takes one line per unit. */
void mf_sched_set_policy(mf_sched *s, mf_schedule p);
/* Whether the master may ask a running unit to hand back its rest or split its number (adaptive only). */
bool mf_sched_may_yield(const mf_sched *s);
/* Whether the policy needs the input's line count (mf_sched_divide) before the first unit: static, once. */
bool mf_sched_wants_line_count(const mf_sched *s);
/* static: divides `lines` lines (those left to hand out) into one chunk per rank, as equal as can be (the
   first chunks take one line more); the last chunk also takes whatever lies beyond `lines`. Ranks whose
   chunk is empty get nothing. Other policies: ignored. */
void mf_sched_divide(mf_sched *s, uint64_t lines);
/* What the next text unit for rank w may hold. Returns false when the policy gives rank w no new input now
   (static: the next lines belong to another rank's chunk); else true with *lines the unit's input lines, or 0
   to size it in bytes (mf_sched_next_bytes). */
bool mf_sched_next_lines(const mf_sched *s, int w, uint32_t *lines);
/* Records that the last unit cut took `lines` input lines (static: they come off the current chunk; the next
   rank's chunk starts once it is used up). */
void mf_sched_took_lines(mf_sched *s, uint64_t lines);
/* Feeds back a finished text unit: `bytes` bytes of input took busy_s seconds of compute. */
void mf_sched_observe(mf_sched *s, size_t bytes, double busy_s);
/* Feeds back candidates tested in busy_s seconds (a split number's first part, or a range). */
void mf_sched_observe_candidates(mf_sched *s, uint64_t candidates, double busy_s);
/* Records the input's bytes left to hand out (< 0: unknown) before the first unit is cut; later calls are
   ignored. Sizes the first round (see above). */
void mf_sched_observe_input(mf_sched *s, double bytes);
/* Units each worker may hold at once: one until the first cost is measured (adaptive), then
   MF_UNITS_IN_FLIGHT (one running, one queued); map and static always MF_UNITS_IN_FLIGHT. */
int mf_sched_in_flight(const mf_sched *s);
/* Records the kernel's seconds per candidate on this CPU, timed before any unit (mf_master): the first units'
   worst case is priced with it instead of MF_SCHED_CANDIDATE_S, the slowest kernel's. Ignored unless > 0. */
void mf_sched_observe_kernel(mf_sched *s, double seconds_per_candidate);
/* Records the input's mean line length in bytes (one number per line assumed), for the first units. */
void mf_sched_observe_lines(mf_sched *s, double bytes_per_line);
/* Records rank 0's service time so far: service_s seconds spent handing out `units` units and taking in
   their results (outside its own factoring and naps). */
void mf_sched_observe_service(mf_sched *s, double service_s, uint64_t units);
/* Whether rank 0, serving node leaders, should take no new unit of its own: among `ranks` ranks (at least
   MF_SCHED_SERVE_ONLY_RANKS), serving (service_s seconds) has taken more than MF_SCHED_SERVE_ONLY_SHARE of the
   elapsed_s seconds of its run, so rank 0 is a busy server, and a slice of its own factoring would delay every
   rank waiting on it, for 1/ranks of the job's compute. Among fewer ranks its own share is worth keeping (np 4
   on two nodes: a quarter; and an idle rank 0 is what asks for a number to be split). Pure. */
bool mf_sched_serve_only(double service_s, double elapsed_s, int ranks);
/* The grain: the least compute seconds worth one unit or range (see above). */
double mf_sched_grain_s(const mf_sched *s);
/* The least time a running unit has run before it may be asked to hand back: MF_SCHED_GRAIN_SHARE service
   times per unit (a yield costs rank 0 about that much: the request, the result, the ranges). */
double mf_sched_yield_age_s(const mf_sched *s);
/* Bytes of input for the next text unit. remaining: input bytes not yet handed out, or < 0 when unknown.
   Guided (remaining over twice the ranks), never below a grain of work, except at the end: once what remains
   cannot give every rank a grain, it is shared evenly (remaining over the ranks), down to a grain over
   MF_SCHED_END_FLOOR, so that the last units spread over every rank instead of going to the first few that ask. */
size_t mf_sched_next_bytes(const mf_sched *s, double remaining);
/* How wide ranges of split numbers are: at most a target's worth of candidates, at least a grain's (and
   MF_SCHED_MIN_RANGE), shared over the ranks. */
mf_range_size mf_sched_range_size(const mf_sched *s);
/* The least candidates a number in progress must have left to be worth splitting: two ranges of the least
   size, so that a split spreads the number over ranks rather than moving its rest whole to another. */
uint64_t mf_sched_split_least(const mf_sched *s);
/* Candidates of the next range when `left` odd candidates of its number remain to be issued (>= 1). */
uint64_t mf_range_size_pick(const mf_range_size *z, uint64_t left);
/* The opening: with node leaders, each takes its first slice without a message, found by arithmetic where rank 0
   would have cut it (rank 0 counts it handed out and cuts on after it): of the first 1/MF_OPENING_SHARE of the
   first input, the lines that start in the leader's share of it, its ranks over all the ranks that leaders serve
   (mf_input_lines_between, mf_team_leader_share). Its bytes, from that input's size and the ranks the leaders
   serve (served): 0 (no opening) where that gives each of them less than MF_OPENING_LEAST_BYTES. An even share
   before any cost is known, as the first round of a small input is (above): what turns out uneven is handed
   back on demand. */
uint64_t mf_sched_opening_bytes(uint64_t first_input_bytes, uint64_t served);
/* The offset in the first input where the share of ranks [0, at) out of total ranks begins: opening * at /
   total, rounded down, exact (opening: mf_sched_opening_bytes; at <= total < 2^31). */
uint64_t mf_sched_opening_offset(uint64_t opening, uint64_t at, uint64_t total);
/* Segments the master may hold between the next result to write and the newest unit handed out. */
uint32_t mf_sched_window(int ranks);

#endif
