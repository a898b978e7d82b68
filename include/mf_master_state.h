/* The master's state and the part of its work that decides what goes out next (internal to rank 0):
   input cut into text units, handed-back rests, split numbers and their ranges, and results taken in. */
#ifndef MPIFACTOR_MASTER_STATE_H
#define MPIFACTOR_MASTER_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "mf_buf.h"
#include "mf_cli.h"
#include "mf_codec.h"
#include "mf_flights.h"
#include "mf_input.h"
#include "mf_order.h"
#include "mf_pace.h"
#include "mf_pario.h"
#include "mf_progress.h"
#include "mf_runner.h"
#include "mf_sched.h"
#include "mf_sink.h"
#include "mf_splits.h"
#include "mf_stats.h"
#include "mf_unitq.h"
#include "mf_value.h"

typedef struct mf_master {
    const mf_config *cfg;
    int ranks;
    mf_input in;
    bool input_done;
    mf_sched sched;
    mf_order order;
    uint64_t window;          /* segments allowed before new input is read */
    mf_unitq requeued;        /* handed-back rests, encoded units waiting to go out again */
    mf_splits splits;         /* numbers split into candidate ranges */
    int *inflight;            /* units held by each worker, -1 once it stopped */
    mf_flights flights;       /* the units each rank holds (rank 0: its own), for early hand-backs */
    mf_runner own;            /* the master's own unit */
    mf_pace own_pace;         /* its slices last about MASTER_SLICE_S on any CPU (mf_pace) */
    mf_text_ref own_ref;      /* ... as the reference it came as, when own_by_ref (--parallel-io) */
    bool own_by_ref;
    mf_buf unit;              /* a unit being built */
    mf_buf msg;               /* a received message */
    mf_buf rest;              /* a rest rank 0's own unit handed back */
    mf_factored partial;
    mf_value value;
    mf_sink sink;
    mf_progress progress;
    mf_rank_stats self;
    mf_rank_stats *per_rank;
    mf_run_stats run;
    bool io_error, interrupted;
    bool starved;             /* a hand-out found nothing for a rank with room: ask a unit to yield */
    bool own_idle;            /* ... and rank 0 itself had nothing to work on */
    double service_s;         /* rank 0's time spent taking in results and handing out units */
    bool no_range;            /* no range could go out in this round of hand-outs (none can until one reports) */
    bool by_ref;              /* --parallel-io from regular files: slices go out as references, not bytes */
    bool by_offset;           /* ... cut by byte offset, their lines counted by the ranks (mf_input_cut) */
    mf_pario pio;             /* ... rank 0's own reads of them */
    bool placing_closed;      /* workers are stopping: results they hold can no longer be placed */
    char err[512];
} mf_master;

/* Prints "mpifactor: MSG" to stderr. */
void mf_master_complain(const char *msg);
/* Aborts the run on a message from rank src that breaks the protocol. */
void mf_master_malformed(int src);
/* Builds the next unit for rank w (0: rank 0's own work) into m->unit: ranges at the head of the line first,
   then rests handed back, then new input as the policy gives it to w (mf_sched_next_lines). Returns false
   when there is none for w now. */
bool mf_master_next_unit(mf_master *m, int w);
/* Takes in the unstarted rest that rank src's running text unit handed back (swapped out of *b; see
   mf_runner_take_rest): a new unit right after that one in the output order, handed out next. */
void mf_master_on_rest(mf_master *m, int src, mf_buf *b);
/* Takes in a finished unit's result from rank src (its storage is swapped out of *b): a range is merged into
   its split number, a text result goes into the output order (its escalated number split, its rest queued). */
void mf_master_on_result(mf_master *m, int src, mf_buf *b);

#endif
