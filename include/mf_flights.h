/* The units each rank holds, in the order it runs them, and which running unit to ask to hand back early
   when a rank would otherwise idle (pure: no MPI, no clock; times are passed in). */
#ifndef MPIFACTOR_FLIGHTS_H
#define MPIFACTOR_FLIGHTS_H

#include <stdbool.h>
#include <stdint.h>

#include "mf_order.h"
#include "mf_sched.h"

/* A unit a rank holds: the first one it holds is running, since the rank's previous result came in. */
typedef struct mf_flight {
    uint64_t id;
    bool text;
    int asked;                /* asked to hand back already: 1 its rest, 2 its number split too */
    double since;             /* when it started running; 0 while queued */
} mf_flight;

typedef struct mf_flights {
    int ranks;
    mf_flight *ring;          /* MF_SLICES_IN_FLIGHT entries per rank */
    int *head, *held;
} mf_flights;

/* Initializes the table for ranks ranks (rank 0's own unit included). Returns 0, or -1 when out of memory. */
int mf_flights_init(mf_flights *f, int ranks);
/* Frees all storage. */
void mf_flights_free(mf_flights *f);
/* Records unit id (text or range) handed to rank w at time now; it runs at once when w held none.
   Returns 0, or -1 when w already holds MF_SLICES_IN_FLIGHT units (the most a leader holds; the caller keeps
   a worker to MF_UNITS_IN_FLIGHT) or is out of range. */
int mf_flights_push(mf_flights *f, int w, uint64_t id, bool text, double now);
/* Rank w finished its running unit at time now: the next one it holds runs from then. Returns 0, or -1
   when w held none. */
int mf_flights_pop(mf_flights *f, int w, double now);
/* Rank w handed back the rest of unit id, its running unit or one it holds behind it (a node leader cuts its
   second slice while the first runs), and goes on: its running unit may be asked again. */
void mf_flights_rearm(mf_flights *f, int w, uint64_t id);
/* The id of the first text unit rank w holds (the one it runs or runs next), or MF_ORDER_NONE when it holds
   none. */
uint64_t mf_flights_first_text(const mf_flights *f, int w);
/* Copies the ids of the units rank w holds, running first, into ids (room for MF_SLICES_IN_FLIGHT); returns how
   many. */
int mf_flights_ids(const mf_flights *f, int w, uint64_t *ids);
/* Units rank w holds. */
static inline int mf_flights_held(const mf_flights *f, int w) { return f->held[w]; }
/* For a rank that would otherwise idle (the caller found nothing to hand it): picks the running text unit
   nearest the head of `order` (ids are its segments) that has run at least min_run_s at time now and was not
   asked this much before (split: to split its number; else: to hand back its rest, which a split request
   also does); marks it and sets *w and *id. Returns false when no unit qualifies. */
bool mf_flights_pick_yield(mf_flights *f, const mf_order *order, double now, double min_run_s, bool split, int *w,
                           uint64_t *id);

#endif
