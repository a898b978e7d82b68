/* Slice-by-slice work on text and range units: tokenize, factorize, format, hand back what runs long. */
#include "mf_runner.h"
#include "mf_sim.h"

#include <stdio.h>
#include <string.h>

#include "mf_stats.h"
#include "mf_verify.h"

#define TOKEN_COST 16 /* budget charged per token, so cheap numbers still yield to message checks */
#define YIELD_BUDGET (UINT64_C(1) << 14) /* the last slice of a unit asked to yield: it hands back almost at
                                             once, yet every unit makes progress before it goes back */

void mf_runner_init(mf_runner *r, const mf_runner_opts *opts)
{
    memset(r, 0, sizeof *r);
    r->opt = *opts;
    mf_buf_init(&r->unit);
    mf_buf_init(&r->msgs);
    mf_buf_init(&r->result);
    mf_buf_init(&r->rest);
    mf_job_init(&r->job);
    mf_factored_init(&r->fac);
    mf_value_init(&r->n);
    mf_value_init(&r->cofactor);
    mpz_init(r->scratch);
}

void mf_runner_free(mf_runner *r)
{
    mf_buf_free(&r->unit);
    mf_buf_free(&r->msgs);
    mf_buf_free(&r->result);
    mf_buf_free(&r->rest);
    mf_job_clear(&r->job);
    mf_factored_clear(&r->fac);
    mf_value_clear(&r->n);
    mf_value_clear(&r->cofactor);
    mpz_clear(r->scratch);
}

int mf_runner_load(mf_runner *r, mf_buf *unit)
{
    mf_buf tmp = r->unit;
    r->unit = *unit;
    *unit = tmp;
    mf_buf_reset(unit);
    if (mf_unit_read(&r->unit, &r->u, &r->cofactor) != 0)
        return -1;
    r->in_number = false;
    r->active = true;
    r->yield_asked = false;
    r->yield_split_least = 0;
    r->rest_ready = false;
    r->suspended = false;
    r->numbers = r->invalid = r->verify_failures = r->unfactored = r->candidates = 0;
    r->busy_s = 0;
    r->cpu_s = 0;
    r->cpu_mark = mf_cpu_now();
    mf_buf_reset(&r->msgs);
    r->drop_now = false;
    if (r->u.kind == MF_UNIT_RANGE) {
        for (int i = 0; i < r->ndropped; i++)
            r->drop_now |= r->dropped[i] == r->u.id;
        if (r->cofactor.is_big ? mpz_even_p(r->cofactor.z) : r->cofactor.u % 2 == 0 || r->cofactor.u < 2)
            return -1;
        mf_job_start_range(&r->job, &r->fac, &r->cofactor, r->u.lo, r->u.hi);
        r->in_number = true;
        return 0;
    }
    r->relative = r->u.line == 0; /* cut by byte offset: lines counted from the unit's first */
    mf_scan_init(&r->scan, r->u.text, r->u.len, r->relative ? 1 : r->u.line, r->u.in_comment);
    mf_text_result_begin(&r->result, r->u.id);
    return 0;
}

/* Checks (when asked) and formats the finished number. */
static void finish_number(mf_runner *r)
{
    r->candidates += r->job.candidates;
    r->in_number = false;
    r->numbers++;
    r->unfactored += !r->fac.complete;
    if (r->opt.verify && mf_verify(&r->fac, r->err, sizeof r->err) != 0) {
        char text[sizeof r->err + 16];
        snprintf(text, sizeof text, "mpifactor: %s\n", r->err);
        if (r->relative)
            mf_msg_put_text(&r->msgs, text);
        else
            mf_buf_put_str(&r->msgs, text);
        r->verify_failures++;
    }
    mf_output_record(&r->result, r->opt.format, &r->fac);
}

/* True when the loaded text unit's bytes [from, r->u.len) hold a token; from is r->scan.pos (scanner state
   as it is) or a line start past it (not in a comment). */
static bool holds_token(const mf_runner *r, size_t from, uint64_t line)
{
    mf_scan probe;
    bool at_scan = from == r->scan.pos;
    mf_scan_init(&probe, r->u.text + from, r->u.len - from, line, at_scan ? r->scan.in_comment : 0);
    const unsigned char *tok;
    size_t toklen;
    uint64_t tokline;
    return mf_scan_next(&probe, &tok, &toklen, &tokline) != 0;
}

/* Ends a text unit: at the end of its slice, or with the number in progress suspended (partial) to be split
   when nothing is left after it (a rest that holds a token goes back on its own: split_off_rest). */
static void finish_text(mf_runner *r)
{
    const mf_factored *partial = NULL;
    uint64_t next_p = 0, number_candidates = 0;
    if (r->in_number) {
        /* suspended, never restarted: the candidates it tested are not tested again */
        if (mf_job_suspend(&r->job, &next_p)) {
            partial = &r->fac;
            number_candidates = r->job.candidates;
            r->candidates += r->job.candidates;
            r->in_number = false;
        } else {
            finish_number(r); /* it was in fact done */
        }
    }
    r->suspended = partial != NULL;
    uint64_t newlines = r->relative ? mf_count_newlines(r->u.text, r->u.len) : 0;
    mf_text_result_end(&r->result, r->u.file, r->u.len, r->relative, newlines, &r->msgs, r->numbers, r->invalid,
                       r->verify_failures, r->unfactored, r->candidates, r->busy_s, partial, next_p, number_candidates,
                       r->number_busy_s);
    r->active = false;
}

/* Cuts the back half of the unstarted rest off the loaded text unit into r->rest (a text unit with the unit's
   id) when it holds a token and the unit has started one: the unit goes on with what it has begun and the front
   half, the back half goes back now. Half, not all: the rank that asked takes what the two can share, and a
   rest handed back whole would leave this rank asking for it back as soon as its number is done. The cut lies
   at the first line start from the middle of the rest; with none there that holds a token, all the rest goes. */
static bool split_off_rest(mf_runner *r)
{
    if (!r->in_number && r->numbers + r->invalid == 0)
        return false; /* nothing begun yet: keep it, so that every unit makes progress */
    size_t from = r->scan.pos;
    uint64_t line = r->scan.line;
    int in_comment = r->scan.in_comment;
    if (!holds_token(r, from, line))
        return false;
    size_t mid = from + (r->u.len - from) / 2;
    const unsigned char *nl = memchr(r->u.text + mid, '\n', r->u.len - mid);
    if (nl && (size_t)(nl + 1 - r->u.text) < r->u.len) {
        size_t cut = (size_t)(nl + 1 - r->u.text);
        uint64_t cut_line = line + mf_count_newlines(r->u.text + from, cut - from);
        if (holds_token(r, cut, cut_line)) {
            from = cut;
            line = cut_line;
            in_comment = 0; /* a comment ends with its line */
        }
    }
    mf_text_unit_begin(&r->rest, r->u.id, r->u.file, r->relative ? 0 : line, in_comment); /* relative: its own */
    mf_buf_put(&r->rest, r->u.text + from, r->u.len - from);
    r->u.len = from;
    r->scan.len = from;
    r->rest_ready = true;
    return true;
}

/* One slice of a text unit. Returns true when the unit is finished. */
static bool step_text(mf_runner *r, uint64_t budget)
{
    double t0 = mf_now();
    bool asked = r->opt.yieldable && r->yield_asked;
    if (asked && budget > YIELD_BUDGET)
        budget = YIELD_BUDGET; /* a rank waits: a short slice, then hand back */
    budget = mf_sim_slice(budget); /* simulated only (--worker-cost) */
    int64_t left = (int64_t)budget;
    uint64_t tested = 0; /* candidates in this slice */
    bool end = false;
    while (left > 0) {
        if (!r->in_number) {
            const unsigned char *tok;
            size_t toklen;
            uint64_t tokline;
            if (!mf_scan_next(&r->scan, &tok, &toklen, &tokline)) {
                end = true;
                break;
            }
            left -= TOKEN_COST;
            if (!mf_parse_token(tok, toklen, &r->n, r->scratch)) {
                if (r->relative)
                    mf_msg_put_invalid(&r->msgs, tokline, tok, toklen);
                else
                    mf_invalid_message(&r->msgs, mf_input_name(r->opt.paths, r->opt.npaths, r->u.file), tokline,
                                       tok, toklen);
                r->invalid++;
                continue;
            }
            mf_job_start(&r->job, &r->fac, &r->n, r->opt.max_divisor);
            tested += r->job.candidates; /* 2, tested as it starts */
            r->in_number = true;
            r->number_busy_s = 0;
            r->number_cpu_s = 0;
        }
        uint64_t before = r->job.candidates;
        bool done = mf_job_run(&r->job, left > 0 ? (uint64_t)left : 1); /* a token may take the last of it */
        left -= (int64_t)(r->job.candidates - before);
        tested += r->job.candidates - before;
        if (done)
            finish_number(r);
    }
    /* the slice's time, as charged in a simulation (--worker-cost, --worker-charge) */
    double dt = mf_sim_charge_compute(mf_now() - t0, tested);
    r->slice_full = !end && left <= 0 && !asked;
    /* CPU time since the last mark (one clock call per slice: it is a system call) */
    double c = mf_cpu_now(), dc = c - r->cpu_mark;
    r->cpu_mark = c;
    r->busy_s += dt;
    r->slice_s = dt;
    r->cpu_s += dc;
    if (r->in_number) {
        r->number_busy_s += dt;
        r->number_cpu_s += dc;
    }
    bool split = false;
    if (asked && !end) {
        /* the rest goes back at once and the number in progress goes on here; with no rest, the number is
           split when that was asked for */
        r->yield_asked = false;
        split = !split_off_rest(r) && r->yield_split_least > 0 && r->in_number &&
                mf_job_candidates_left(&r->job) >= r->yield_split_least;
    }
    if (end || split) {
        finish_text(r);
        return true;
    }
    return false;
}

void mf_runner_mark_cpu(mf_runner *r)
{
    r->cpu_mark = mf_cpu_now();
}

bool mf_runner_yield(mf_runner *r, uint64_t id, uint64_t split_least)
{
    if (!r->active || r->u.kind != MF_UNIT_TEXT || r->u.id != id || !r->opt.yieldable)
        return false;
    r->yield_asked = true;
    r->yield_split_least = mf_split_least_merge(r->yield_split_least, split_least);
    return true;
}

bool mf_runner_drop(mf_runner *r, uint64_t id)
{
    int cap = (int)(sizeof r->dropped / sizeof r->dropped[0]);
    if (r->ndropped == cap) {
        memmove(r->dropped, r->dropped + 1, (size_t)(cap - 1) * sizeof r->dropped[0]);
        r->ndropped--;
    }
    r->dropped[r->ndropped++] = id;
    if (r->active && r->u.kind == MF_UNIT_RANGE && r->u.id == id)
        r->drop_now = true;
    return r->drop_now;
}

bool mf_runner_take_rest(mf_runner *r, mf_buf *out)
{
    if (!r->rest_ready)
        return false;
    mf_buf tmp = *out;
    *out = r->rest;
    r->rest = tmp;
    mf_buf_reset(&r->rest);
    r->rest_ready = false;
    return true;
}

bool mf_runner_step(mf_runner *r, uint64_t budget)
{
    if (!r->active)
        return false;
    if (r->u.kind == MF_UNIT_TEXT)
        return step_text(r, budget);
    double t0 = mf_now();
    uint64_t before = r->job.candidates;
    /* fewer candidates: simulated only (--worker-cost) */
    bool done = r->drop_now || mf_job_run(&r->job, mf_sim_slice(budget));
    /* the slice's time, as charged in a simulation */
    double dt = mf_sim_charge_compute(mf_now() - t0, r->job.candidates - before);
    r->busy_s += dt;
    r->slice_full = !done;
    r->slice_s = dt;
    if (!done)
        return false;
    r->candidates = r->job.candidates;
    mf_range_result_put(&r->result, r->u.id, r->u.lo, r->u.hi, r->fac.factors, r->fac.nfactors, r->candidates, r->busy_s);
    r->in_number = false;
    r->active = false;
    return true;
}

bool mf_runner_step_paced(mf_runner *r, mf_pace *p)
{
    uint64_t budget = mf_pace_budget(p);
    bool finished = mf_runner_step(r, budget);
    if (r->slice_full)
        mf_pace_observe(p, budget, r->slice_s);
    return finished;
}
