/* Node leader: slices from rank 0 cut again for its node's ranks and itself, their results merged per slice. */
#include "mf_leader.h"
#include "mf_master_state.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mf_block.h"
#include "mf_holder.h"
#include "mf_ledger.h"
#include "mf_proto.h"
#include "mf_status.h"

#define BLOCKS_CAP (MF_SLICES_IN_FLIGHT + 1)

/* A slice finished and sent to rank 0, waiting for its place in the output: its pieces, held in this node. */
typedef struct placing {
    uint64_t id;
    mf_piece *pieces;
    size_t n;
} placing;

typedef struct mf_leader {
    mf_master m;                     /* the serving machinery (master_serve.c), over this node's ranks; first, so
                                        that its callbacks find the leader (on_stopping) */
    placing *placings;               /* slices waiting for their place, in the order rank 0 places them */
    size_t nplacings, placings_cap;
    uint64_t placed;                 /* slices placed so far */
    mf_ledger ledger;                /* with --checkpoint: the kids' pieces of each placed slice not yet confirmed */
    bool have_ledger;
    uint64_t confirmed;              /* slices confirmed to rank 0 as written and synced */
    mf_text_ref blocks[BLOCKS_CAP];  /* rank 0's slices taken, in order: the first one's results are merged */
    int bhead, blen;
    int opened;                      /* slices whose window was opened (the last one is cut while open) */
    bool cutting;                    /* the last opened slice's window is not used up yet */
    mf_block acc;                    /* the first slice's results so far */
    mf_buf out;
    bool failed;                     /* an I/O error was reported: no more work, wait for STOP */
    int exit_code;
} mf_leader;

static void fail(mf_leader *l, const char *why)
{
    if (l->failed)
        return;
    snprintf(l->m.pio.err, sizeof l->m.pio.err, "rank %d: %s", mf_proto_rank(), why);
    mf_holder_failed(&l->m.pio, l->m.parent, &l->failed);
}

static mf_text_ref *block_at(mf_leader *l, int i)
{
    return &l->blocks[(l->bhead + i) % BLOCKS_CAP];
}

/* Ends the window being cut: a marker segment (an empty result) after its last unit, so that everything
   inserted after its units (rests handed back, split numbers) still comes before the marker. */
static void end_window(mf_leader *l)
{
    mf_buf empty;
    mf_buf_init(&empty);
    if (mf_order_put(&l->m.order, mf_order_append(&l->m.order), &empty) != 0)
        mf_master_malformed(0);
    mf_buf_free(&empty);
    l->cutting = false;
}

/* Opens the next slice's window once the last one is used up. */
static void open_next(mf_leader *l)
{
    mf_master *m = &l->m;
    if (l->cutting && m->input_done)
        end_window(l);
    if (l->cutting || l->opened >= l->blen || l->failed)
        return;
    const mf_text_ref *r = block_at(l, l->opened);
    if (mf_input_window(&m->in, r->file, r->offset, r->len, r->in_comment, m->err, sizeof m->err) != 0) {
        fail(l, m->err);
        return;
    }
    m->bytes_waiting -= r->len;
    l->opened++;
    l->cutting = true;
    m->input_done = false;
}

/* Merges the results ready at the head of the order into the first slice's; each marker finishes a slice,
   which goes to rank 0 while its output stays in pieces where it is held (the kids', and this rank's own and
   split numbers' results, held here) until rank 0 says where the slice goes. */
static void merge_ready(mf_leader *l)
{
    mf_master *m = &l->m;
    mf_buf *res;
    while ((res = mf_order_ready(&m->order)) != NULL) {
        if (l->blen == 0)
            mf_master_malformed(0);
        if (res->len > 0) {
            if (!mf_result_is_held(res))
                mf_pario_hold(&m->pio, res);
            if (mf_block_add(&l->acc, res, &m->partial) != 0)
                mf_master_malformed(0);
        } else {
            if (!block_at(l, 0)->hold_output)
                mf_master_malformed(m->parent); /* rank 0 sends a leader slices whose output stays out */
            l->placings = mf_array_grow(l->placings, &l->placings_cap, l->nplacings, sizeof *l->placings, 8);
            placing *pl = &l->placings[l->nplacings++];
            pl->id = l->acc.id;
            mf_block_finish(&l->acc, mf_proto_rank(), &l->out, &pl->pieces, &pl->n);
            mf_proto_send(m->parent, MF_TAG_RESULT, &l->out);
            l->bhead = (l->bhead + 1) % BLOCKS_CAP;
            l->blen--;
            l->opened--;
            if (l->blen > 0)
                mf_block_begin(&l->acc, block_at(l, 0)->id, block_at(l, 0)->file);
        }
        mf_order_advance(&m->order);
    }
}

/* Queues the slice just written after the last one held, to be cut. */
static void hold_slice(mf_leader *l)
{
    const mf_text_ref *r = block_at(l, l->blen);
    l->m.bytes_waiting += r->len;
    l->m.others_wait = false; /* rank 0 had input to give after all */
    if (l->blen++ == 0)
        mf_block_begin(&l->acc, r->id, r->file);
}

/* The opening (team->opening, mf_sched_opening_bytes): this leader's first slice, found here where rank 0 would
   have cut it, as if rank 0 had sent it (rank 0 counts it handed out: mf_master_open_leaders). */
static void take_opening(mf_leader *l, const mf_team *team)
{
    mf_master *m = &l->m;
    if (!team->opening || team->opening_index < 0 || !m->in.seen[0].known)
        return;
    uint64_t opening = mf_sched_opening_bytes(m->in.seen[0].size, team->share_total);
    if (opening == 0)
        return;
    mf_slice_info info;
    if (mf_input_lines_between(&m->in, mf_sched_opening_offset(opening, team->share_lo, team->share_total),
                               mf_sched_opening_offset(opening, team->share_hi, team->share_total), &info, m->err,
                               sizeof m->err) != 0) {
        fail(l, m->err);
        return;
    }
    *block_at(l, l->blen) = (mf_text_ref){
        .id = mf_order_fresh_id((uint32_t)team->opening_index), .file = info.file, .line = 0, .in_comment = 0,
        .offset = info.offset, .len = info.len, .hold_output = 1,
        .check = mf_slice_check(info.len, info.head, info.head_len, info.tail, info.tail_len)};
    hold_slice(l);
}

/* Takes a unit from rank 0: a slice by reference, queued to be cut, or a range of a split number, cut into a
   piece for each rank of the node, this one included, which go out before anything else (next_piece keeps one
   for this rank's own work). */
static void take_unit(mf_leader *l)
{
    mf_master *m = &l->m;
    mf_unit_kind kind;
    uint64_t id;
    if (mf_unit_peek(&m->msg, &kind, &id) != 0)
        mf_master_malformed(m->parent);
    if (kind == MF_UNIT_RANGE) {
        mf_unit u;
        if (mf_unit_read(&m->msg, &u, &m->value) != 0)
            mf_master_malformed(m->parent);
        mpz_t c;
        mpz_init(c);
        mf_value_get_mpz(c, &m->value);
        if (mf_relays_take(&m->relays, u.id, c, u.lo, u.hi, (uint32_t)m->nkids + 1) != 0)
            mf_master_malformed(m->parent);
        mpz_clear(c);
        return;
    }
    if (kind != MF_UNIT_TEXT_REF || l->blen == BLOCKS_CAP)
        mf_master_malformed(m->parent);
    mf_text_ref *r = &l->blocks[(l->bhead + l->blen) % BLOCKS_CAP];
    if (mf_text_ref_read(&m->msg, r) != 0)
        mf_master_malformed(m->parent);
    hold_slice(l);
}

/* Whether slice id is one this leader holds. */
static bool holds(mf_leader *l, uint64_t id)
{
    for (int i = 0; i < l->blen; i++)
        if (block_at(l, i)->id == id)
            return true;
    return false;
}

/* Rank 0 asks slice id, one this leader holds, to hand back: the back half of the uncut rest of the slice being
   cut, which is the one asked or the one after it (as a unit hands back the back half of its unstarted rest: the
   front half still serves this node). Rank 0 asks for the slice nearest the head of the output, and a leader's
   first slice is usually cut already while the second is being cut: asking only the first, the leaders' end of a
   run handed nothing back (random40 on 1024 simulated ranks: 65 requests, no rest). */
static void hand_back(mf_leader *l, uint64_t id)
{
    mf_master *m = &l->m;
    if (!l->cutting || !holds(l, id) || m->input_done) {
        m->others_wait = true;
        return;
    }
    mf_slice_info info;
    int rc = mf_input_window_split(&m->in, &info, m->err, sizeof m->err);
    if (rc < 0)
        fail(l, m->err);
    if (rc != 1) {
        m->others_wait = true;
        return;
    }
    mf_text_ref r = {.id = block_at(l, l->opened - 1)->id, .file = info.file, .line = 0, .in_comment = info.in_comment,
                     .offset = info.offset,
                     .len = info.len,
                     .check = mf_slice_check(info.len, info.head, info.head_len, info.tail, info.tail_len)};
    mf_buf_reset(&m->unit);
    mf_text_ref_put(&m->unit, &r);
    mf_proto_send(m->parent, MF_TAG_REST, &m->unit);
}

/* Rank 0 places slice id at byte offset of the output: each of its pieces goes after the one before, written
   here or by the kid that holds it. Returns 0, or -1 (m->pio.err) when this rank's own write failed. */
static int place(mf_leader *l, uint64_t id, uint64_t offset)
{
    mf_master *m = &l->m;
    size_t i = 0;
    while (i < l->nplacings && l->placings[i].id != id)
        i++;
    if (i == l->nplacings)
        mf_master_malformed(m->parent);
    placing pl = l->placings[i];
    memmove(&l->placings[i], &l->placings[i + 1], (l->nplacings - i - 1) * sizeof *l->placings);
    l->nplacings--;
    int rc = 0;
    for (size_t k = 0; k < pl.n; k++) {
        const mf_piece *p = &pl.pieces[k];
        if (p->holder == m->pio.rank) {
            if (rc == 0 && mf_pario_place(&m->pio, p->id, offset) != 0)
                rc = -1;
        } else {
            if (!mf_master_is_kid(m, p->holder))
                mf_master_malformed(p->holder);
            mf_buf_reset(&m->unit);
            mf_buf_put_u64(&m->unit, p->id);
            mf_buf_put_u64(&m->unit, offset);
            mf_proto_send(p->holder, MF_TAG_PLACE, &m->unit);
            if (l->have_ledger && mf_ledger_place(&l->ledger, p->holder, l->placed, 0) != 0)
                abort();
        }
        offset += p->len;
    }
    free(pl.pieces);
    l->placed++;
    return rc;
}

/* With --checkpoint: tells rank 0 how many slices are written and synced: this rank's own pieces synced, its
   kids' confirmed (mf_ledger over the pieces, numbered by slice). */
static void confirm(mf_leader *l)
{
    mf_master *m = &l->m;
    if (m->pio.placed > m->pio.synced && mf_pario_sync(&m->pio) != 0) {
        mf_holder_failed(&m->pio, m->parent, &l->failed);
        return;
    }
    uint64_t done, bytes;
    mf_ledger_durable(&l->ledger, l->placed, 0, &done, &bytes);
    if (done <= l->confirmed)
        return;
    l->confirmed = done;
    mf_buf_reset(&m->unit);
    mf_buf_put_u64(&m->unit, done);
    mf_proto_send(m->parent, MF_TAG_PLACED, &m->unit);
}

/* A kid confirms its first count placements written and synced. */
static void on_placed(mf_leader *l, int src)
{
    mf_master *m = &l->m;
    uint64_t count = mf_buf_get_u64(&m->msg);
    if (m->msg.failed || !l->have_ledger || mf_ledger_confirm(&l->ledger, src, count) != 0)
        mf_master_malformed(src);
}

/* Takes in every message waiting. Returns 1 when there was one, -1 once rank 0 said stop. */
static int receive_all(mf_leader *l)
{
    mf_master *m = &l->m;
    int src, tag, any = 0;
    while (mf_proto_poll(&src, &tag, &m->msg)) {
        any = 1;
        if (mf_master_on_kid(m, src, tag))
            continue;
        if (tag == MF_TAG_PLACED && mf_master_is_kid(m, src)) {
            on_placed(l, src);
            continue;
        }
        if (src != m->parent)
            mf_master_malformed(src);
        if (tag == MF_TAG_STOP) {
            l->exit_code = (int)mf_buf_get_u32(&m->msg);
            return -1;
        } else if (tag == MF_TAG_UNIT) {
            take_unit(l);
        } else if (tag == MF_TAG_SPLIT_DONE) {
            mf_master_on_split_done(m, &m->msg);
        } else if (tag == MF_TAG_DROP) {
            mf_master_on_drop(m, &m->msg);
        } else if (tag == MF_TAG_YIELD) {
            uint64_t id = mf_buf_get_u64(&m->msg);
            (void)mf_buf_get_u64(&m->msg); /* a split: left to this node's own hand-backs */
            if (!m->msg.failed)
                hand_back(l, id);
        } else if (tag == MF_TAG_PLACE) {
            uint64_t id = mf_buf_get_u64(&m->msg), offset = mf_buf_get_u64(&m->msg);
            if (m->msg.failed)
                mf_master_malformed(src);
            if (place(l, id, offset) != 0)
                mf_holder_failed(&m->pio, m->parent, &l->failed);
        } else {
            mf_master_malformed(src);
        }
    }
    return any;
}

/* While stopping: a kid's message (results that still come are dropped: rank 0 is stopping too; a kid confirms
   its last placements before its statistics). */
static void on_stopping(mf_master *m, int src, int tag)
{
    if (tag == MF_TAG_PLACED && mf_master_is_kid(m, src))
        on_placed((mf_leader *)m, src); /* m is the leader's first member */
    else if (!mf_master_on_kid(m, src, tag))
        mf_master_malformed(src);
}

static void init(mf_leader *l, const mf_config *cfg, const mf_team *team)
{
    mf_master *m = &l->m;
    int ranks = mf_proto_size(), rank = mf_proto_rank();
    memset(l, 0, sizeof *l);
    if (mf_master_start(m, cfg, ranks, team, rank) != 0 || mf_pario_init(&m->pio, cfg, rank) != 0 ||
        mf_input_open(&m->in, cfg->inputs, cfg->ninputs, stderr, m->err, sizeof m->err) != 0) {
        fprintf(stderr, "mpifactor: rank %d: %s\n", rank, m->err[0] ? m->err : "out of memory");
        mf_proto_abort(MF_EXIT_INTERNAL);
    }
    mf_sched_init(&m->sched, m->nkids + 1, 0);
    mf_sched_observe_kernel(&m->sched, mf_master_time_kernel());
    m->window = mf_sched_window(m->nkids + 1);
    mf_pace_init(&m->own_pace, MF_SERVER_SLICE_S, UINT64_C(1) << 18);
    m->in.count_tokens = 0;
    m->in.bytes_total = 0;           /* what it hands out: the slices' bytes, as they come (mf_input_window) */
    m->by_ref = m->by_offset = true; /* rank 0's slices are cut by offset: so are this node's */
    m->kids_hold = true;             /* ... and the kids keep their outputs until placed (merge_ready) */
    if (cfg->checkpoint) {
        if (mf_ledger_init(&l->ledger, ranks) != 0) {
            fprintf(stderr, "mpifactor: rank %d: out of memory\n", rank);
            mf_proto_abort(MF_EXIT_INTERNAL);
        }
        l->have_ledger = true;
    }
    m->input_done = true;            /* no window open yet */
    mf_block_init(&l->acc);
    mf_buf_init(&l->out);
    l->exit_code = MF_EXIT_INTERNAL;
}

static void release(mf_leader *l)
{
    mf_master_release(&l->m);
    mf_block_free(&l->acc);
    mf_buf_free(&l->out);
    for (size_t i = 0; i < l->nplacings; i++)
        free(l->placings[i].pieces);
    free(l->placings);
    if (l->have_ledger)
        mf_ledger_free(&l->ledger);
}

int mf_leader_run(const mf_config *cfg, const mf_team *team)
{
    mf_leader *l = malloc(sizeof *l);
    if (!l) {
        fprintf(stderr, "mpifactor: rank %d: out of memory\n", mf_proto_rank());
        mf_proto_abort(MF_EXIT_INTERNAL);
        return MF_EXIT_INTERNAL;
    }
    init(l, cfg, team);
    take_opening(l, team);
    mf_master *m = &l->m;
    double cpu_start = mf_process_cpu_now(), last_confirm = mf_now();
    mf_idler idle;
    mf_idler_busy(&idle);
    for (;;) {
        double served_from = mf_now();
        int received = receive_all(l);
        if (received < 0)
            break;
        bool busy = false;
        if (!l->failed) {
            open_next(l);
            merge_ready(l);
            busy = mf_master_dispatch(m);
            open_next(l); /* a window used up by the hand-out: its marker, and the next one */
            if (received || busy) {
                m->service_s += mf_now() - served_from;
                mf_sched_observe_service(&m->sched, m->service_s, m->run.units);
            }
            if (!busy)
                busy = mf_master_own_work(m);
            open_next(l);
            merge_ready(l);
            mf_master_ask_yield(m);
            if (m->io_error)
                fail(l, m->err);
        }
        if (l->have_ledger && l->placed > l->confirmed) {
            double now = mf_now();
            if (now - last_confirm >= MF_HOLDER_CONFIRM_EVERY_S || (!busy && l->blen == 0)) {
                confirm(l);
                last_confirm = now;
            }
        }
        mf_proto_progress();
        if (busy || received) {
            mf_idler_busy(&idle);
        } else {
            double t0 = mf_now();
            mf_idler_nap(&idle);
            m->self.idle_s += mf_now() - t0;
        }
    }
    mf_master_stop_kids(m, l->exit_code, on_stopping); /* the kids write and confirm what they were told to place */
    if (l->have_ledger)
        confirm(l); /* ... and so does this rank, before its statistics */
    mf_proto_flush();
    m->self.cpu_s = mf_process_cpu_now() - cpu_start;
    m->self.parent = m->parent;
    m->self.units_served = m->run.units - m->self.units; /* handed out, less its own */
    m->self.ranges_relayed = m->relays.taken;
    m->self.numbers_split = m->splits.started;
    m->self.wasted_candidates = m->splits.wasted;
    m->self.service_s = m->service_s;
    m->self.bytes_sent = mf_proto_bytes_sent();
    m->self.bytes_received = mf_proto_bytes_received();
    mf_master_send_stats(m);
    mf_proto_flush();
    int code = l->exit_code;
    release(l);
    free(l);
    return code;
}
