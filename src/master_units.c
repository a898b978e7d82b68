/* What the master hands out next and how it takes results in: input cut into text units (by reference with
   --parallel-io), handed-back rests, split numbers with their ranges at the head of the line first. */
#include "mf_master_state.h"

#include <stdio.h>
#include <stdlib.h>

#include "mf_output.h"
#include "mf_proto.h"
#include "mf_signals.h"
#include "mf_status.h"
#include "mf_verify.h"

void mf_master_complain(const char *msg)
{
    fprintf(stderr, "mpifactor: %s\n", msg);
}

void mf_master_malformed(int src)
{
    fprintf(stderr, "mpifactor: malformed or unexpected message from rank %d\n", src);
    mf_proto_abort(MF_EXIT_INTERNAL);
}

/* Stores the final factorization f of a split number as the result of its segment; f NULL: the segment ends
   empty, with no record (a placeholder whose number is written in a leader's slice). */
static void put_split_result(mf_master *m, uint64_t seg, const mf_factored *f)
{
    mf_buf b;
    mf_buf_init(&b);
    mf_buf msgs;
    mf_buf_init(&msgs);
    uint64_t failures = 0;
    if (f && m->cfg->verify && mf_verify(f, m->err, sizeof m->err) != 0) {
        mf_buf_put_str(&msgs, "mpifactor: ");
        mf_buf_put_str(&msgs, m->err);
        mf_buf_put_u8(&msgs, '\n');
        failures = 1;
    }
    mf_text_result_begin(&b, seg);
    if (f)
        mf_output_record(&b, m->cfg->format, f);
    mf_text_result_end(&b, 0, 0, 0, 0, &msgs, f ? 1 : 0, 0, failures, f && !f->complete, 0, 0, NULL, 0, 0, 0);
    if (mf_order_put(&m->order, seg, &b) != 0)
        mf_master_malformed(0);
    mf_buf_free(&b);
    mf_buf_free(&msgs);
}

/* ---- split numbers ---- */

/* A split number's final factorization f: the result of segment seg, or, for a number a leader passed up, sent
   back to the leader while the placeholder seg ends empty. */
static void finish_split(mf_master *m, uint64_t seg, const mf_factored *f)
{
    size_t i = 0;
    while (i < m->npassed_up && m->passed_up[i].seg != seg)
        i++;
    if (i == m->npassed_up) {
        put_split_result(m, seg, f);
        return;
    }
    mf_buf b;
    mf_buf_init(&b);
    mf_split_done_put(&b, m->passed_up[i].token, f);
    mf_proto_send(m->passed_up[i].leader, MF_TAG_SPLIT_DONE, &b);
    m->passed_up[i] = m->passed_up[--m->npassed_up];
    mf_buf_free(&b);
    put_split_result(m, seg, NULL); /* no record: the number is written in the leader's slice */
}

/* A leader: whether the number in m->partial, next candidate next_p, is better split by rank 0 over every rank
   than over this node: when the node alone would need more than one range of the largest size on each of its
   ranks to finish it. A smaller rest ends sooner here, without the round trip through rank 0 (the last numbers
   of a run, split as ranks run idle). */
static bool worth_passing_up(mf_master *m, uint64_t next_p)
{
    mpz_t root;
    mpz_init(root);
    mf_value_get_mpz(root, &m->partial.cofactor);
    mpz_sqrt(root, root);
    uint64_t limit = mpz_fits_ulong_p(root) ? (uint64_t)mpz_get_ui(root) : UINT64_MAX;
    mpz_clear(root);
    if (m->cfg->max_divisor && m->cfg->max_divisor < limit)
        limit = m->cfg->max_divisor;
    uint64_t left = limit >= next_p ? (limit - next_p) / 2 + 1 : 0, share = left / (uint64_t)(m->nkids + 1);
    mf_range_size size = mf_sched_range_size(&m->sched);
    return share > size.most || (m->others_wait && share > size.least);
}

/* Splits the number in m->partial, which ran past its budget up to candidate next_p after `candidates` in
   busy_s seconds; its output goes to segment seg. A leader passes a large one up to rank 0 instead, which splits
   it over every rank, and keeps seg for the answer. */
static void start_split(mf_master *m, uint64_t seg, uint64_t next_p, uint64_t candidates, double busy_s)
{
    mf_sched_observe_candidates(&m->sched, candidates, busy_s);
    if (m->parent >= 0 && worth_passing_up(m, next_p)) {
        mf_buf b;
        mf_buf_init(&b);
        mf_split_request_put(&b, seg, &m->partial, next_p, candidates, busy_s);
        mf_proto_send(m->parent, MF_TAG_SPLIT, &b);
        mf_buf_free(&b);
        return;
    }
    const mf_split *sp = mf_splits_start(&m->splits, &m->order, seg, &m->partial, next_p, m->cfg->max_divisor);
    if (!sp)
        mf_master_malformed(0);
    if (mf_split_done(sp))
        finish_split(m, seg, &sp->result);
}

void mf_master_on_split_request(mf_master *m, int src, mf_buf *b)
{
    uint64_t token, next_p, candidates;
    double busy_s;
    if (mf_split_request_get(b, &token, &m->partial, &next_p, &candidates, &busy_s) != 0)
        mf_master_malformed(src);
    if (m->stopping)
        return;
    /* head-of-line priority as near as rank 0 knows it: the number is in one of the slices the leader holds */
    uint64_t after = mf_flights_first_text(&m->flights, src);
    uint64_t seg = after == MF_ORDER_NONE ? MF_ORDER_NONE : mf_order_insert_after(&m->order, after);
    if (seg == MF_ORDER_NONE)
        seg = mf_order_append(&m->order);
    m->passed_up = mf_array_grow(m->passed_up, &m->passed_up_cap, m->npassed_up, sizeof *m->passed_up, 8);
    m->passed_up[m->npassed_up++] = (mf_passed_up){.seg = seg, .leader = src, .token = token};
    start_split(m, seg, next_p, candidates, busy_s);
}

void mf_master_on_split_done(mf_master *m, mf_buf *b)
{
    uint64_t token;
    if (mf_split_done_get(b, &token, &m->partial) != 0)
        mf_master_malformed(m->parent);
    put_split_result(m, token, &m->partial);
}

/* The divisors of range result r, in a new array (at least one element) that the caller frees. */
static uint64_t *range_divisors(const mf_result_info *r)
{
    uint64_t *div = malloc((r->ndivisors ? r->ndivisors : 1) * sizeof *div);
    if (!div)
        abort();
    for (size_t k = 0; k < r->ndivisors; k++)
        div[k] = mf_result_divisor(r, k);
    return div;
}

void mf_master_drop_held(mf_master *m, uint64_t first, uint64_t count)
{
    uint64_t held[MF_SLICES_IN_FLIGHT];
    for (int i = 0; i < m->nkids; i++) {
        int w = m->kids[i], n = mf_flights_ids(&m->flights, w, held);
        for (int k = 0; k < n; k++) {
            if (held[k] - first >= count)
                continue;
            mf_buf drop;
            mf_buf_init(&drop);
            mf_buf_put_u64(&drop, held[k]);
            mf_proto_send(w, MF_TAG_DROP, &drop); /* takes its storage */
        }
    }
    if (m->own.active && m->own.u.kind == MF_UNIT_RANGE && m->own.u.id - first < count)
        mf_runner_drop(&m->own, m->own.u.id);
}

/* Merges a range result into its split; the number's result is stored once it is complete, and its ranges
   still out are stopped. */
static void on_range_result(mf_master *m, int src, const mf_result_info *r)
{
    uint64_t *div = range_divisors(r);
    const mf_split *done = NULL;
    uint64_t seg = 0;
    int rc = mf_splits_report(&m->splits, r->id, r->lo, r->hi, div, r->ndivisors, r->candidates, &done, &seg);
    free(div);
    if (rc < 0)
        mf_master_malformed(src);
    mf_sched_observe_candidates(&m->sched, r->candidates, r->busy_s);
    if (rc == 1) {
        if (mf_split_outstanding(done) > 0)
            mf_master_drop_held(m, r->id, 1);
        finish_split(m, seg, &done->result);
    }
}

/* A leader: sends rank 0 the merged report of one of its ranges (in *b), whose every piece reported. */
static void send_relayed(mf_master *m, mf_relay_done *done, mf_buf *b)
{
    mf_buf_reset(b);
    mf_range_result_put_u64(b, done->id, done->lo, done->hi, done->divisors, done->ndivisors, done->candidates,
                            done->busy_s);
    free(done->divisors);
    mf_proto_send(m->parent, MF_TAG_RESULT, b);
}

/* A leader: merges a piece's report into its range of rank 0's; once every piece reported, the range's report
   goes to rank 0 (built in *b, whose result was read). */
static void on_piece_result(mf_master *m, int src, const mf_result_info *r, mf_buf *b)
{
    uint64_t *div = range_divisors(r);
    mf_relay_done done;
    int rc = mf_relays_report(&m->relays, r->id & ~MF_RELAY_BIT, r->lo, r->hi, div, r->ndivisors, r->candidates,
                              r->busy_s, &done);
    free(div);
    if (rc < 0)
        mf_master_malformed(src);
    mf_sched_observe_candidates(&m->sched, r->candidates, r->busy_s);
    if (rc == 1)
        send_relayed(m, &done, b);
}

void mf_master_on_drop(mf_master *m, mf_buf *b)
{
    uint64_t id = mf_buf_get_u64(b), first, count;
    if (b->failed)
        mf_master_malformed(m->parent);
    mf_relay_done done;
    int rc = mf_relays_drop(&m->relays, id, &first, &count, &done);
    if (rc == 1)
        send_relayed(m, &done, b);
    else if (rc == 0)
        mf_master_drop_held(m, first | MF_RELAY_BIT, count);
}

/* A leader: the next piece of rank 0's ranges it holds, for rank w (0: its own work), into m->unit. The last
   piece waiting is kept for its own work while that has none, rather than queued behind a kid's running unit
   (a range's report waits for its slowest piece); for the same reason a kid gets no second piece of a range
   while it holds one (SIMULATED, one 76-bit number on 256 ranks: a kid idle at start-up took two 47 ms pieces
   of one range, and the other 13 kids of its node idled 15 ms waiting for that range's report). */
static bool next_piece(mf_master *m, int w)
{
    uint64_t piece, lo, hi, held[MF_SLICES_IN_FLIGHT];
    size_t nheld = 0;
    mpz_srcptr cofactor;
    if (m->parent < 0)
        return false; /* rank 0 relays nothing */
    if (w > 0 && m->inflight[w] > 0 && !m->own.active && mf_relays_waiting(&m->relays) <= 1)
        return false;
    if (w > 0) {
        int n = mf_flights_ids(&m->flights, w, held);
        for (int i = 0; i < n; i++)
            if (held[i] & MF_RELAY_BIT)
                held[nheld++] = held[i] & ~MF_RELAY_BIT;
    }
    if (!mf_relays_next(&m->relays, held, nheld, &piece, &lo, &hi, &cofactor))
        return false;
    mf_value_set_mpz(&m->value, cofactor);
    mf_range_unit_put(&m->unit, piece | MF_RELAY_BIT, &m->value, lo, hi);
    return true;
}

/* Ranges of one split number in flight at most. While other work waits (input to cut, rests handed back),
   one: the number goes on range after range like on a single rank, and no candidate beyond its factors is
   tested in vain. Once nothing else is left, every worker slot and one for rank 0's own work. */
static size_t max_ranges_out(const mf_master *m)
{
    bool input_waits = !m->input_done && mf_order_live(&m->order) < m->window;
    if (input_waits || mf_unitq_len(&m->requeued) > 0)
        return 1;
    return (size_t)(m->ranks - 1) * MF_UNITS_IN_FLIGHT + 1;
}

/* Builds a range unit for rank w of the split number closest to the head of the output into m->unit, if any. Within one
   round of hand-outs (m->no_range cleared at its start) a failed search is not repeated: handing out only
   makes ranges scarcer, and on many ranks each search walks the whole output order. */
static bool next_range(mf_master *m, int w)
{
    uint64_t id, lo, hi;
    mpz_srcptr cofactor;
    if (m->no_range)
        return false;
    m->no_range = true;
    mf_range_size size = mf_sched_range_size(&m->sched);
    if (m->weight) {
        /* Guided by the ranks each taker stands for: a leader's range is its node's share, cut again there; rank
           0's own, or a rank no leader serves, one rank's share. With the share of a leader's range, rank 0
           took 16 ranks' worth near the end of one 76-bit number on 256 simulated ranks and computed it alone
           for 35 ms while every other rank waited for its report (a fifth of the run). */
        int weight = w > 0 ? m->weight[w] : 1; /* a kid's weight is at least 1 (itself), and below m->ranks */
        size.ways = (uint32_t)(m->ranks / weight);
        size.most *= (uint64_t)weight;
        size.least *= (uint64_t)weight;
    }
    if (!mf_splits_next_range(&m->splits, &m->order, &size, max_ranges_out(m), &id, &lo, &hi, &cofactor))
        return false;
    m->no_range = false;
    mf_value_set_mpz(&m->value, cofactor);
    mf_range_unit_put(&m->unit, id, &m->value, lo, hi);
    return true;
}

/* ---- input side ---- */

/* Input bytes not yet handed out, or -1 when unknown. */
static double remaining_bytes(const mf_master *m)
{
    uint64_t consumed = mf_input_consumed(&m->in);
    if (m->in.bytes_total == 0 && m->bytes_waiting == 0)
        return -1;
    /* a leader: the slices it holds, so that each one spreads over its node */
    return (consumed >= m->in.bytes_total ? 0 : (double)(m->in.bytes_total - consumed)) + (double)m->bytes_waiting;
}

/* Cuts the next slice of input for rank w into a text unit in m->unit. Returns true when there is one. */
static bool next_slice(mf_master *m, int w)
{
    uint32_t lines;
    if (m->input_done || m->io_error || mf_order_live(&m->order) >= m->window)
        return false;
    if (!mf_sched_next_lines(&m->sched, w, &lines)) /* the policy keeps the next lines for another rank */
        return false;
    double left = remaining_bytes(m);
    if (m->sched.cost_per_byte < 0 && m->sched.fixed_lines == 0) { /* first units: sized by their numbers' length */
        mf_sched_observe_lines(&m->sched, mf_input_line_length(&m->in));
        mf_sched_observe_input(&m->sched, left); /* (the first call only) */
    }
    size_t target = mf_sched_next_bytes(&m->sched, left);
    if (m->weight && w > 0)
        target *= (size_t)m->weight[w]; /* a leader's slice: its node's share, cut again there */
    mf_slice_info info;
    /* by reference, in bytes, with no token count wanted: cut by offset, reading only around the cut (rank 0's
       work per unit then does not grow with its bytes); the sink numbers the lines as results come in order */
    bool by_offset = m->by_ref && lines == 0 && !m->in.count_tokens;
    if (by_offset && !m->by_offset) {
        m->by_offset = true;
        mf_sink_lines_from(&m->sink, (uint32_t)m->in.current, m->in.line);
    }
    for (;;) {
        mf_text_unit_begin(&m->unit, 0, 0, 0, 0);
        int rc = by_offset ? mf_input_cut(&m->in, target, &info, m->err, sizeof m->err)
                           : mf_input_slice(&m->in, m->by_ref ? NULL : &m->unit, target, lines, &info, m->err,
                                            sizeof m->err);
        if (rc == MF_INPUT_INTERRUPTED) {
            if (mf_signals_pending())
                return false; /* the main loop sees the signal and stops */
            continue;
        }
        if (rc < 0) {
            mf_master_complain(m->err);
            m->io_error = true;
        }
        if (rc <= 0) {
            m->input_done = true;
            return false;
        }
        mf_sched_took_lines(&m->sched, info.lines);
        if (!m->by_ref) {
            mf_text_unit_set_header(&m->unit, mf_order_append(&m->order), info.file, info.line, info.in_comment);
            return true;
        }
        mf_text_ref r = {.id = mf_order_append(&m->order), .file = info.file, .line = info.line,
                         .in_comment = info.in_comment, .offset = info.offset, .len = info.len,
                         .check = mf_slice_check(info.len, info.head, info.head_len, info.tail, info.tail_len)};
        mf_text_ref_put(&m->unit, &r);
        return true;
    }
}

void mf_master_open_leaders(mf_master *m, const mf_team *team)
{
    if (!team->opening || !m->weight || !m->in.seen || !m->in.seen[0].known)
        return; /* (an input that did not open: the run stops before any leader could report) */
    uint64_t lo, hi, total = 0;
    for (int k = 0; k < m->nkids && total == 0; k++)
        mf_team_leader_share(team, m->kids[k], &lo, &hi, &total);
    uint64_t opening = mf_sched_opening_bytes(m->in.seen[0].size, total);
    if (opening == 0)
        return;
    uint32_t index = 0;
    for (int k = 0; k < m->nkids; k++) { /* the leaders in ascending rank, as each finds its place */
        int w = m->kids[k];
        if (!mf_master_is_leader(m, w))
            continue;
        uint64_t id = mf_order_append(&m->order);
        if (id != mf_order_fresh_id(index++)) {
            mf_master_complain("internal error: the opening's slices are not the first in the output order");
            mf_proto_abort(MF_EXIT_INTERNAL);
        }
        mf_master_count_out(m, w, id, true);
    }
    m->run.opening = (int)index;
    if (m->io_error || !m->by_ref)
        return; /* stopping: nothing is cut */
    m->by_offset = true; /* as the first slice cut by offset (next_slice) */
    mf_sink_lines_from(&m->sink, 0, m->in.line);
    mf_slice_info info;
    if (mf_input_cut_lines_before(&m->in, opening, &info, m->err, sizeof m->err) != 0) {
        mf_master_complain(m->err);
        m->io_error = true;
    }
}

/* Builds the next unit for rank w into m->unit: ranges at the head of the line first, then rests handed
   back, then new input. */
bool mf_master_next_unit(mf_master *m, int w)
{
    if (next_piece(m, w) || next_range(m, w))
        return true;
    /* a rest handed back serves a rank about to idle, not a leader's second slice (its first keeps its node busy) */
    if (mf_master_needs_unit(m, w) && mf_unitq_pop(&m->requeued, &m->unit))
        return true;
    return next_slice(m, w);
}

/* Takes in the rest a running text unit handed back on request (swapped out of *b): queued as a new unit
   placed right after that unit, which goes on and may be asked again. */
void mf_master_on_rest(mf_master *m, int src, mf_buf *b)
{
    mf_text_ref r;
    mf_unit u;
    uint64_t after = 0;
    bool by_ref = mf_text_ref_read(b, &r) == 0; /* a rest of a slice by reference comes back as one */
    if (by_ref)
        after = r.id;
    else if (mf_unit_read(b, &u, &m->value) == 0 && u.kind == MF_UNIT_TEXT)
        after = u.id;
    else
        mf_master_malformed(src);
    uint64_t seg = mf_order_insert_after(&m->order, after);
    if (seg == MF_ORDER_NONE)
        mf_master_malformed(src);
    mf_buf *q = mf_unitq_push(&m->requeued);
    if (by_ref) {
        r.id = seg;
        r.hold_output = 0; /* set again when it goes out to a worker */
        mf_text_ref_put(q, &r);
    } else {
        mf_text_unit_begin(q, seg, u.file, u.line, u.in_comment);
        mf_buf_put(q, u.text, u.len);
    }
    m->run.units_handed_back++;
    mf_flights_rearm(&m->flights, src, after);
}

/* ---- results ---- */

/* Takes in a finished unit's result (swapped out of *b). */
void mf_master_on_result(mf_master *m, int src, mf_buf *b)
{
    mf_result_info r;
    if (mf_result_read(b, &r, &m->partial) != 0)
        mf_master_malformed(src);
    if (r.kind == MF_UNIT_RANGE && m->parent >= 0 && (r.id & MF_RELAY_BIT)) {
        on_piece_result(m, src, &r, b);
        return;
    }
    if (r.kind == MF_UNIT_RANGE) {
        on_range_result(m, src, &r);
        return;
    }
    mf_sched_observe(&m->sched, r.bytes, r.busy_s - r.number_busy_s);
    if (r.escalated) {
        m->run.units_handed_back++;
        uint64_t after = mf_order_insert_after(&m->order, r.id);
        if (after == MF_ORDER_NONE)
            mf_master_malformed(src);
        start_split(m, after, r.next_p, r.number_candidates, r.number_busy_s);
        b->len = r.tail; /* the sink sees the unit's own records only */
        mf_buf_put_u8(b, 0);
    }
    if (mf_order_put(&m->order, r.id, b) != 0)
        mf_master_malformed(src);
}

