/* How a rank that serves others (rank 0, a node leader) keeps them supplied: hands out units round-robin up
   to each kid's quota, asks a running unit to hand back when a kid would idle, and works on units itself when
   serving leaves it time. Shared by both levels (master.c, leader.c); what goes out is master_units.c's. */
#include "mf_master_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mf_kernel_u64.h"
#include "mf_proto.h"

int mf_master_start(mf_master *m, const mf_config *cfg, int ranks, const mf_team *team, int rank)
{
    memset(m, 0, sizeof *m);
    m->cfg = cfg;
    m->ranks = ranks;
    m->kids = team->kids;
    m->nkids = team->nkids;
    m->weight = team->weight;
    m->parent = team->parent;
    m->sink.out_fd = -1;
    mf_rank_stats_init(&m->self, rank);
    mf_order_init(&m->order);
    mf_runner_opts opts = {
        .max_divisor = cfg->max_divisor, .format = cfg->format, .verify = cfg->verify,
        .yieldable = ranks > 1, .paths = cfg->inputs, .npaths = cfg->ninputs,
    };
    mf_runner_init(&m->own, &opts);
    mf_buf_init(&m->unit);
    mf_buf_init(&m->msg);
    mf_buf_init(&m->rest);
    mf_buf_init(&m->kid_stats);
    mf_factored_init(&m->partial);
    mf_value_init(&m->value);
    mf_splits_init(&m->splits);
    mf_relays_init(&m->relays);
    mf_unitq_init(&m->requeued);
    m->inflight = calloc((size_t)ranks, sizeof *m->inflight);
    m->kid = calloc((size_t)ranks, sizeof *m->kid);
    if (!m->inflight || !m->kid || mf_flights_init(&m->flights, ranks) != 0)
        return -1;
    for (int k = 0; k < m->nkids; k++)
        m->kid[m->kids[k]] = true;
    return 0;
}

void mf_master_release(mf_master *m)
{
    mf_input_close(&m->in);
    mf_pario_free(&m->pio);
    mf_runner_free(&m->own);
    mf_order_free(&m->order);
    mf_unitq_free(&m->requeued);
    mf_splits_free(&m->splits);
    mf_relays_free(&m->relays);
    free(m->passed_up);
    mf_value_clear(&m->value);
    mf_buf_free(&m->unit);
    mf_buf_free(&m->msg);
    mf_buf_free(&m->rest);
    mf_buf_free(&m->kid_stats);
    mf_factored_clear(&m->partial);
    free(m->inflight);
    free(m->kid);
    mf_flights_free(&m->flights);
}

bool mf_master_on_kid(mf_master *m, int src, int tag)
{
    if (!mf_master_is_kid(m, src))
        return false;
    if (tag == MF_TAG_RESULT && m->inflight[src] > 0) {
        m->inflight[src]--;
        if (mf_flights_pop(&m->flights, src, mf_now()) != 0)
            mf_master_malformed(src);
        mf_master_on_result(m, src, &m->msg);
    } else if (tag == MF_TAG_REST && m->inflight[src] > 0) {
        mf_master_on_rest(m, src, &m->msg);
    } else if (tag == MF_TAG_SPLIT && m->parent < 0) {
        mf_master_on_split_request(m, src, &m->msg);
    } else if (tag == MF_TAG_FAILED) { /* a kid's I/O error: the run stops with exit 2 */
        if (m->parent >= 0) {
            mf_proto_send(m->parent, MF_TAG_FAILED, &m->msg); /* rank 0 says it and stops the run */
        } else {
            fflush(stdout);
            fprintf(stderr, "mpifactor: %.*s\n", (int)m->msg.len, (const char *)m->msg.data);
            m->io_error = true;
        }
    } else if (tag == MF_TAG_STATS) { /* a kid's record; a leader's comes after those of its own kids */
        do {
            mf_rank_stats st;
            if (mf_codec_get_stats(&m->msg, &st) != 0 || st.rank <= 0 || st.rank >= m->ranks)
                mf_master_malformed(src);
            if (m->parent < 0)
                m->per_rank[st.rank] = st;
            if (st.rank == src)
                m->inflight[src] = -1; /* finished: its record is its last */
        } while (m->msg.pos < m->msg.len);
        if (m->parent >= 0) /* passed on with this rank's own (mf_master_send_stats) */
            mf_buf_put(&m->kid_stats, m->msg.data, m->msg.len);
    } else {
        return false;
    }
    return true;
}

void mf_master_send_stats(mf_master *m)
{
    mf_codec_put_stats(&m->kid_stats, &m->self);
    mf_proto_send(m->parent, MF_TAG_STATS, &m->kid_stats);
}

void mf_master_stop_kids(mf_master *m, int exit_code, void (*on_message)(mf_master *m, int src, int tag))
{
    m->stopping = true;
    mf_proto_hold(); /* posted together, as a refill's units are (mf_master_dispatch) */
    for (int k = 0; k < m->nkids; k++) {
        mf_buf_reset(&m->unit);
        mf_buf_put_u32(&m->unit, (uint32_t)exit_code);
        mf_proto_send(m->kids[k], MF_TAG_STOP, &m->unit);
    }
    mf_proto_release();
    mf_idler idle; /* naps of 20 us first, growing: most records come within tens of microseconds */
    mf_idler_busy(&idle);
    for (;;) {
        int left = 0;
        for (int k = 0; k < m->nkids; k++)
            left += m->inflight[m->kids[k]] >= 0;
        if (!left)
            break;
        int src, tag;
        if (mf_proto_poll(&src, &tag, &m->msg)) {
            on_message(m, src, tag);
            mf_idler_busy(&idle);
        } else {
            mf_idler_nap(&idle);
        }
        mf_proto_progress();
    }
}

void mf_master_count_out(mf_master *m, int w, uint64_t id, bool text)
{
    if (mf_flights_push(&m->flights, w, id, text, mf_now()) != 0)
        mf_master_malformed(0);
    if (w > 0)
        m->inflight[w]++;
    m->run.units++;
}

/* Counts the unit in m->unit as held by rank w (0: this rank's own; mf_master_count_out). */
static void count_unit_out(mf_master *m, int w)
{
    mf_unit_kind kind;
    uint64_t id;
    if (mf_unit_peek(&m->unit, &kind, &id) != 0)
        mf_master_malformed(0);
    /* a slice by reference yields like one of bytes */
    mf_master_count_out(m, w, id, kind == MF_UNIT_TEXT || kind == MF_UNIT_TEXT_REF);
}

/* When a hand-out found nothing for a rank that would otherwise idle (m->starved), asks the running text unit
   nearest the head of the output to hand back: its unstarted rest, and where a rank has nothing at all, its
   number in progress too (then split into ranges). Demand, not a unit's age, decides; a least age of a few
   service times only keeps a unit that has barely started from moving back and forth. A request that
   arrives after the unit ended is ignored. */
void mf_master_ask_yield(mf_master *m)
{
    int w;
    uint64_t id;
    /* rank 0's own core idle asks no node leader: the back half of a node's rest for one core left that node
       short (with leaders rank 0 mostly serves; the kids' demand asks) */
    bool own_idle = m->own_idle, starved = m->starved || (own_idle && !m->weight);
    m->starved = m->own_idle = false;
    /* a rest handed back is still waiting to go out: it serves the next free slot */
    if (m->nkids < 1 || !starved || mf_unitq_len(&m->requeued) > 0 || !mf_sched_may_yield(&m->sched))
        return; /* (map and static never ask) */
    /* a rank with nothing at all: a unit with no rest left splits its number; one still busy (a slot open):
       the unstarted rest only, cut off at once while the number in progress goes on (no candidate at risk) */
    bool split = own_idle;
    for (int k = 0; k < m->nkids && !split; k++)
        split = mf_flights_held(&m->flights, m->kids[k]) == 0;
    if (!mf_flights_pick_yield(&m->flights, &m->order, mf_now(), mf_sched_yield_age_s(&m->sched), split, &w, &id))
        return;
    m->run.yields_asked++;
    uint64_t split_least = split ? mf_sched_split_least(&m->sched) : 0;
    if (w == 0) {
        mf_runner_yield(&m->own, id, split_least);
        return;
    }
    mf_buf_reset(&m->unit);
    mf_buf_put_u64(&m->unit, id);
    mf_buf_put_u64(&m->unit, split_least);
    mf_proto_send(w, MF_TAG_YIELD, &m->unit);
}

/* With --parallel-io, marks a text unit (or one by reference) in m->unit for a worker: the worker keeps its
   output until told where it goes. */
static void prepare_for_worker(mf_master *m)
{
    if (m->kids_hold && m->unit.len > 0 && (m->unit.data[0] == MF_UNIT_TEXT || m->unit.data[0] == MF_UNIT_TEXT_REF))
        mf_text_unit_set_hold(&m->unit);
}

/* Fills every worker up to its in-flight quota. Returns true when it sent anything. */
bool mf_master_dispatch(mf_master *m)
{
    bool sent = false;
    m->no_range = false;
    /* round-robin, one unit per worker and round, so few units still spread over all workers. A worker holds
       up to `quota` units (MF_UNITS_IN_FLIGHT once costs are known), a leader always MF_SLICES_IN_FLIGHT slices
       (a slice of unknown cost is cut again over the node anyway). Three, not two: a leader's slice goes back
       to rank 0, and frees its slot, only once its slowest piece is done, and with two slots the node's ranks
       had cut up the second slice by then and waited for rank 0's next one. SIMULATED, random40 at 1024 ranks:
       a kid's time between its first unit and its last not spent factoring fell from 0.6-0.8 ms to 0.25-0.3
       (three runs each), efficiency 0.36-0.42 -> 0.40-0.42 at 1024 ranks and 0.77-0.84 -> 0.78-0.84 at 256
       (three interleaved sweeps each, one outlier of 0.24 at 1024; the start and the stop weigh the rest). */
    int quota = mf_sched_in_flight(&m->sched);
    int rounds = m->weight ? MF_SLICES_IN_FLIGHT : quota; /* without leaders no rank takes a round past quota */
    for (int round = 1; round <= rounds; round++) {
        /* cut a round's units, then send them: the first hand-out at 1024 ranks is 64 first slices, then 64
           second ones and 64 third ones, and every leader has its first slice before rank 0 cuts any second one */
        mf_proto_hold();
        for (int k = 0; k < m->nkids; k++) {
            int w = m->kids[k];
            if (m->inflight[w] >= round || (!mf_master_is_leader(m, w) && round > quota))
                continue;
            if (!mf_master_next_unit(m, w)) {
                /* a slot open and nothing to fill it: worker w idles soon. Not so a leader that still holds a
                   slice: that slice keeps its node busy, and asking for its second one took the back half of the
                   uncut rest of the node served last, which then ran dry first (SIMULATED, 2048 56-bit
                   semiprimes on 256 ranks: one node of 16 got 49 numbers, the others 128-168, and idled 0.1 s) */
                if (mf_master_needs_unit(m, w))
                    m->starved = true;
                continue;
            }
            count_unit_out(m, w);
            prepare_for_worker(m);
            mf_proto_send(w, MF_TAG_UNIT, &m->unit);
            sent = true;
        }
        mf_proto_release();
    }
    return sent;
}

/* Does one slice of the master's own work. Returns true when there was work to do. */
bool mf_master_own_work(mf_master *m)
{
    if (m->nkids > 0 && m->parent < 0 && mf_sink_backlogged(&m->sink))
        return false; /* the output is the bottleneck: leave the CPU to what drains it */
    if (!m->own.active) {
        /* dispatch() has just filled every worker slot it could: what is left is rank 0's */
        if (!mf_master_next_unit(m, 0)) {
            m->own_idle = m->nkids > 0;
            return false;
        }
        count_unit_out(m, 0);
        m->own_by_ref = mf_text_ref_read(&m->unit, &m->own_ref) == 0;
        if (mf_pario_resolve(&m->pio, &m->unit) != 0) { /* a slice by reference: read it here too */
            mf_master_complain(m->pio.err);
            m->io_error = true;
            return false;
        }
        if (mf_runner_load(&m->own, &m->unit) != 0)
            mf_master_malformed(0);
    }
    if (m->nkids > 0)
        mf_runner_mark_cpu(&m->own); /* busy_cpu_s: the slice's CPU time, not the serving before it */
    bool finished = mf_runner_step_paced(&m->own, &m->own_pace);
    if (mf_runner_take_rest(&m->own, &m->rest)) {
        if (m->own_by_ref && mf_pario_rest_by_ref(&m->rest, &m->own_ref) != 0)
            mf_master_malformed(0);
        mf_master_on_rest(m, 0, &m->rest);
    }
    if (finished) {
        m->self.busy_s += m->own.busy_s;
        m->self.busy_cpu_s += m->own.cpu_s;
        m->self.units++;
        m->self.ranges += m->own.u.kind == MF_UNIT_RANGE;
        m->self.ranges_stopped += m->own.u.kind == MF_UNIT_RANGE && m->own.drop_now;
        m->self.numbers += m->own.numbers + m->own.suspended; /* a split number counts where it started */
        m->self.candidates += m->own.candidates;
        mf_flights_pop(&m->flights, 0, mf_now());
        mf_master_on_result(m, 0, &m->own.result);
    }
    return true;
}


/* Candidates timed per pass by mf_master_time_kernel: their inverses fit the table's first sizes (p < 16384:
   8191 entries), whose filling is most of the timing's cost. With 65536 (p up to 131073, a table of 65535
   entries) filling took 0.58 ms on an AVX2-only Zen 3 (no 8-lane fill) and each timed pass 30 us: SIMULATED at
   1024 ranks, rank 0's timing held up the start-up exchange by 0.7 ms, and every leader's its first cuts. */
#define KERNEL_TIMED_CANDIDATES 8000

/* The kernel's seconds per candidate on this CPU: the fastest of three timings of KERNEL_TIMED_CANDIDATES
   candidates that divide no number (2^61 - 1 is prime), after one untimed pass that grows the inverse table.
   Tens of microseconds the first time; it prices the first units' worst case (mf_sched_observe_kernel), which
   no unit has measured yet. Later calls return the first one's timing: rank 0 takes it while it waits at
   start-up (mf_master_prepare). */
double mf_master_time_kernel(void)
{
    static double timed = 0; /* one kernel per process (mf_u64_kernel_select), so one timing */
    if (timed > 0)
        return timed;
    const uint64_t prime = (UINT64_C(1) << 61) - 1, lo = 3, hi = lo + 2 * (KERNEL_TIMED_CANDIDATES - 1);
    double best = -1;
    for (int pass = 0; pass < 4; pass++) {
        double t0 = mf_now();
        if (mf_u64_find_divisor(prime, lo, hi) != 0)
            return -1;
        double t = mf_now() - t0;
        if (pass > 0 && (best < 0 || t < best))
            best = t;
    }
    timed = best / KERNEL_TIMED_CANDIDATES;
    return timed;
}

