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
#include "mf_relay.h"
#include "mf_splits.h"
#include "mf_stats.h"
#include "mf_unitq.h"
#include "mf_team.h"
#include "mf_value.h"

/* Own compute seconds between message checks of a rank that serves node leaders or a node's ranks (rank 0 with
   leaders, every leader): a fifth of rank 0's without them. Near the end of a run a node's ranks take small
   units and ranges of split numbers one after another, each asked of the leader, and a request waits until the
   leader looks (SIMULATED, 2048 56-bit semiprimes on 256 ranks: with 0.5 ms the busy share was 0.85-0.89, with
   0.1 ms 0.89-0.91 over six runs each). Rank 0 with leaders likewise: random40 at 1024 ranks (64 leaders), its
   slices of 0.34-0.52 ms fell between its bursts of hand-out, and no leader got a slice in them. A look costs a
   probe of the message queue. */
#define MF_SERVER_SLICE_S 0.1e-3

/* A number a leader passed up (MF_TAG_SPLIT), split here in segment seg: its result goes back to the leader. */
typedef struct mf_passed_up {
    uint64_t seg;
    int leader;
    uint64_t token;
} mf_passed_up;

typedef struct mf_master {
    const mf_config *cfg;
    int ranks;                /* in the whole job (arrays by rank have this many entries) */
    const int *kids;          /* the ranks this one serves (mf_team): every other rank, or with a second level */
    int nkids;                /* rank 0's node and the leaders (rank 0), a node's other ranks (a leader) */
    bool *kid;                /* ... by rank */
    const int *weight;        /* rank 0 with leaders: the ranks each kid stands for, by rank (NULL: 1 each) */
    int parent;               /* a leader: the rank it takes slices from (0); -1 for rank 0 */
    uint64_t bytes_waiting;   /* a leader: bytes of the slices taken and not opened yet (to hand out, besides the
                                 open slice's uncut rest) */
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
    mf_buf kid_stats;         /* a leader: its kids' statistics records, sent up with its own in one message */
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
    mf_relays relays;         /* a leader: rank 0's ranges taken, going out to its node in pieces */
    mf_passed_up *passed_up;  /* rank 0: the numbers leaders passed up, being split (a placeholder segment each) */
    size_t npassed_up, passed_up_cap;
    bool others_wait;         /* a leader: rank 0 asked it to hand back and it had nothing uncut (other nodes wait),
                                 and no slice came since: pass up every number worth splitting */
    bool stopping;            /* the kids were told to stop: no new split is started for them */
    bool by_ref;              /* --parallel-io from regular files: slices go out as references, not bytes */
    bool kids_hold;           /* the kids keep their text units' outputs until told where they go */
    bool by_offset;           /* ... cut by byte offset, their lines counted by the ranks (mf_input_cut) */
    mf_pario pio;             /* ... rank 0's own reads of them */
    bool placing_closed;      /* workers are stopping: results they hold can no longer be placed */
    char err[512];
} mf_master;

/* The pieces a leader cuts rank 0's ranges into carry their piece id (mf_relays) with this bit set. */
#define MF_RELAY_BIT (UINT64_C(1) << 63)

/* Sets up the state both levels share for this rank (`rank`) of `ranks`, serving team->kids: the order, the
   own runner, buffers, split numbers, the kids' flights and in-flight counts. The caller then sizes the
   scheduler and the window, opens the input and sets its own pace. Returns 0, or -1 when out of memory. */
int mf_master_start(mf_master *m, const mf_config *cfg, int ranks, const mf_team *team, int rank);
/* Frees what mf_master_start set up, the input and the parallel-I/O state. */
void mf_master_release(mf_master *m);
/* True when rank r is one that m serves (any value of r). */
static inline bool mf_master_is_kid(const mf_master *m, int r) { return r > 0 && r < m->ranks && m->kid[r]; }
/* Whether kid r is a node leader (it stands for more ranks than itself). */
static inline bool mf_master_is_leader(const mf_master *m, int r) { return m->weight && m->weight[r] > 1; }
/* Whether rank r (0: this rank's own work) idles soon without another unit: any rank with a slot open, but a
   leader only when it holds nothing (the slice it holds keeps its node busy). */
static inline bool mf_master_needs_unit(const mf_master *m, int r)
{
    return m->inflight[r] == 0 || !mf_master_is_leader(m, r);
}
/* Takes in a message from kid src (a result, a rest handed back, an I/O failure, statistics: a leader passes
   an I/O failure on to its parent at once and keeps its kids' statistics in kid_stats, for one message with its
   own at the end: mf_master_send_stats). Returns false when src is no kid or the tag is none of those. */
bool mf_master_on_kid(mf_master *m, int src, int tag);
/* Tells every kid to stop with exit_code and takes in their messages (on_message) until each has sent its
   statistics, its last message. */
void mf_master_stop_kids(mf_master *m, int exit_code, void (*on_message)(mf_master *m, int src, int tag));
/* A leader's last message: its own statistics record after its kids' (kid_stats), sent to its parent at once,
   so that rank 0 takes in one message per node rather than one per rank. */
void mf_master_send_stats(mf_master *m);
/* Counts unit id as held by kid w (text: a text unit or a slice by reference): its flight, its in-flight count
   and the run's units handed out. */
void mf_master_count_out(mf_master *m, int w, uint64_t id, bool text);
/* Rank 0 with the opening (team->opening): counts each leader's first slice as handed out, in order, as the
   leader finds it (mf_sched_opening_bytes), and cuts on past them; no message goes out. Before anything else
   enters the order, once the input is open, even where the output failed (a leader may report its slice before
   its STOP). */
void mf_master_open_leaders(mf_master *m, const mf_team *team);
/* Fills every kid up to its in-flight quota, round-robin. Returns true when it sent anything. */
bool mf_master_dispatch(mf_master *m);
/* When a hand-out found nothing for a kid that would otherwise idle (m->starved), asks the running text unit
   nearest the head of the output to hand back: its unstarted rest, and where a kid (or this rank) has nothing
   at all, its number in progress too (then split into ranges). */
void mf_master_ask_yield(mf_master *m);
/* Does one slice of this rank's own work. Returns true when there was work to do. */
bool mf_master_own_work(mf_master *m);
/* The kernel's seconds per candidate on this CPU (tens of microseconds to time, the first call; later calls
   return that timing). */
double mf_master_time_kernel(void);
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
/* Rank 0: splits the number leader src passed up (MF_TAG_SPLIT in *b) over every rank, in a placeholder segment
   of its own order after the leader's first slice in flight (the number's output stays in the leader's). Once
   done, the factorization goes back to the leader (MF_TAG_SPLIT_DONE) and the placeholder ends empty. Ignored
   once the kids are stopping. */
void mf_master_on_split_request(mf_master *m, int src, mf_buf *b);
/* Tells each kid that holds a unit with an id in [first, first + count) to stop it (MF_TAG_DROP: ranges no longer
   needed), and stops this rank's own when it is one. Each still reports; what it scanned counts as wasted. */
void mf_master_drop_held(mf_master *m, uint64_t first, uint64_t count);
/* A leader: rank 0 no longer needs one of its ranges (MF_TAG_DROP in *b): the pieces not handed out never go
   out, those out are stopped; rank 0 gets the range's report at once when none is out. */
void mf_master_on_drop(mf_master *m, mf_buf *b);
/* A leader: rank 0's factorization of a number it passed up (MF_TAG_SPLIT_DONE in *b) goes into the segment
   the number left in this leader's order. */
void mf_master_on_split_done(mf_master *m, mf_buf *b);

#endif
