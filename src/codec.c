/* Encoding and decoding of units, results and statistics as portable little-endian bytes. */
#include "mf_codec.h"

#include <string.h>

#include <xxhash.h>

#include "mf_input.h"


void mf_codec_put_big(mf_buf *b, const mf_value *v)
{
    size_t len = (mpz_sizeinbase(v->z, 2) + 7) / 8;
    mf_buf_put_u8(b, 1);
    mf_buf_put_u32(b, (uint32_t)len);
    mf_buf_reserve(b, len);
    size_t written = 0;
    mpz_export(b->data + b->len, &written, 1, 1, 1, 0, v->z);
    b->len += written;
}

int mf_codec_get_big(mf_buf *b, mf_value *v)
{
    uint32_t len = mf_buf_get_u32(b);
    const unsigned char *p = mf_buf_get_bytes(b, len);
    if (!p)
        return -1;
    mpz_import(v->z, len, 1, 1, 1, 0, p);
    mf_value_set_mpz(v, v->z);
    return 0;
}

#define TEXT_OUT_LEN_OFFSET 9   /* u8 kind, u64 id, then u64 out_len */
#define TEXT_OUT_OFFSET 17
#define HELD_HEADER 21          /* u8 kind, u64 id, u64 out_len, i32 holder */
#define RESULT_TEXT_HELD 3      /* kind byte of a text result whose output a worker holds */
#define TEXT_FLAGS_OFFSET 21    /* u8 kind, u64 id, u32 file, u64 line, then u8 flags */
#define TEXT_HEADER 22
#define FLAG_IN_COMMENT 1u
#define FLAG_HOLD 2u

/* Overwrites 8 bytes at offset off of b with v. */
static void patch_u64(mf_buf *b, size_t off, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b->data[off + (size_t)i] = (unsigned char)(v >> (8 * i));
}

static uint64_t to_ns(double s)
{
    return s > 0 ? (uint64_t)(s * 1e9) : 0;
}

void mf_text_unit_begin(mf_buf *b, uint64_t id, uint32_t file, uint64_t line, int in_comment)
{
    mf_buf_reset(b);
    mf_buf_put_u8(b, MF_UNIT_TEXT);
    mf_buf_put_u64(b, id);
    mf_buf_put_u32(b, file);
    mf_buf_put_u64(b, line);
    mf_buf_put_u8(b, in_comment ? 1 : 0);
}

void mf_text_unit_set_header(mf_buf *b, uint64_t id, uint32_t file, uint64_t line, int in_comment)
{
    size_t len = b->len;
    b->len = 0;
    mf_text_unit_begin(b, id, file, line, in_comment); /* same size as before: overwrites the header */
    b->len = len;
}

void mf_text_unit_set_hold(mf_buf *b)
{
    b->data[TEXT_FLAGS_OFFSET] |= FLAG_HOLD;
}

uint64_t mf_slice_check(uint64_t len, const void *head, size_t head_len, const void *tail, size_t tail_len)
{
    return (uint64_t)XXH3_64bits_withSeed(head, head_len, len) ^
           ((uint64_t)XXH3_64bits_withSeed(tail, tail_len, ~len) * UINT64_C(0x9E3779B97F4A7C15));
}

void mf_text_ref_put(mf_buf *b, const mf_text_ref *r)
{
    mf_text_ref_begin(b, r);
    b->data[0] = MF_UNIT_TEXT_REF;
    mf_buf_put_u64(b, r->offset);
    mf_buf_put_u64(b, r->len);
    mf_buf_put_u64(b, r->check);
}

int mf_text_ref_read(const mf_buf *b, mf_text_ref *r)
{
    mf_buf view = *b;
    view.pos = 0;
    view.failed = 0;
    if (mf_buf_get_u8(&view) != MF_UNIT_TEXT_REF)
        return -1;
    r->id = mf_buf_get_u64(&view);
    r->file = mf_buf_get_u32(&view);
    r->line = mf_buf_get_u64(&view);
    unsigned flags = mf_buf_get_u8(&view);
    r->in_comment = (flags & FLAG_IN_COMMENT) != 0;
    r->hold_output = (flags & FLAG_HOLD) != 0;
    r->offset = mf_buf_get_u64(&view);
    r->len = mf_buf_get_u64(&view);
    r->check = mf_buf_get_u64(&view);
    return view.failed || view.pos != view.len || r->len > SIZE_MAX - TEXT_HEADER ? -1 : 0;
}

void mf_text_ref_begin(mf_buf *b, const mf_text_ref *r)
{
    mf_text_unit_begin(b, r->id, r->file, r->line, r->in_comment);
    if (r->hold_output)
        mf_text_unit_set_hold(b);
}

void mf_range_unit_put(mf_buf *b, uint64_t id, const mf_value *c, uint64_t lo, uint64_t hi)
{
    mf_buf_reset(b);
    mf_buf_put_u8(b, MF_UNIT_RANGE);
    mf_buf_put_u64(b, id);
    mf_codec_put_value(b, c);
    mf_buf_put_u64(b, lo);
    mf_buf_put_u64(b, hi);
}

int mf_unit_peek(const mf_buf *b, mf_unit_kind *kind, uint64_t *id)
{
    mf_buf view = *b;
    view.pos = 0;
    view.failed = 0;
    *kind = (mf_unit_kind)mf_buf_get_u8(&view);
    *id = mf_buf_get_u64(&view);
    return view.failed ? -1 : 0;
}

int mf_codec_set_id(mf_buf *b, uint64_t id)
{
    if (b->len < 9)
        return -1;
    patch_u64(b, 1, id);
    return 0;
}

int mf_unit_read(mf_buf *b, mf_unit *u, mf_value *c)
{
    b->pos = 0;
    b->failed = 0;
    u->kind = (mf_unit_kind)mf_buf_get_u8(b);
    u->id = mf_buf_get_u64(b);
    if (u->kind == MF_UNIT_TEXT) {
        u->file = mf_buf_get_u32(b);
        u->line = mf_buf_get_u64(b);
        unsigned flags = mf_buf_get_u8(b);
        u->in_comment = (flags & FLAG_IN_COMMENT) != 0;
        u->hold_output = (flags & FLAG_HOLD) != 0;
        if (b->failed)
            return -1;
        u->text = b->data + b->pos;
        u->len = b->len - b->pos;
        b->pos = b->len;
        return 0;
    }
    if (u->kind != MF_UNIT_RANGE || mf_codec_get_value(b, c) != 0)
        return -1;
    u->lo = mf_buf_get_u64(b);
    u->hi = mf_buf_get_u64(b);
    if (b->failed || u->lo < 3 || u->lo % 2 == 0 || u->hi < u->lo)
        return -1;
    return 0;
}

void mf_factored_put(mf_buf *b, const mf_factored *f)
{
    mf_codec_put_value(b, &f->n);
    mf_buf_put_u8(b, f->complete ? 1 : 0);
    mf_buf_put_u32(b, (uint32_t)f->nfactors);
    for (size_t i = 0; i < f->nfactors; i++)
        mf_codec_put_value(b, &f->factors[i]);
    if (!f->complete)
        mf_codec_put_value(b, &f->cofactor);
}

int mf_factored_get(mf_buf *b, mf_factored *f)
{
    mf_factored_reset(f);
    if (mf_codec_get_value(b, &f->n) != 0)
        return -1;
    f->complete = mf_buf_get_u8(b) != 0;
    uint32_t nf = mf_buf_get_u32(b);
    if (b->failed || nf > b->len - b->pos) /* every factor takes at least one byte */
        return -1;
    for (uint32_t i = 0; i < nf; i++)
        if (mf_codec_get_value(b, mf_factored_push(f)) != 0)
            return -1;
    if (!f->complete && mf_codec_get_value(b, &f->cofactor) != 0)
        return -1;
    return 0;
}

void mf_split_request_put(mf_buf *b, uint64_t token, const mf_factored *partial, uint64_t next_p,
                          uint64_t candidates, double busy_s)
{
    mf_buf_reset(b);
    mf_buf_put_u64(b, token);
    mf_buf_put_u64(b, next_p);
    mf_buf_put_u64(b, candidates);
    mf_buf_put_u64(b, to_ns(busy_s));
    mf_factored_put(b, partial);
}

int mf_split_request_get(mf_buf *b, uint64_t *token, mf_factored *partial, uint64_t *next_p, uint64_t *candidates,
                         double *busy_s)
{
    b->pos = 0;
    b->failed = 0;
    *token = mf_buf_get_u64(b);
    *next_p = mf_buf_get_u64(b);
    *candidates = mf_buf_get_u64(b);
    *busy_s = (double)mf_buf_get_u64(b) * 1e-9;
    if (b->failed || mf_factored_get(b, partial) != 0 || partial->complete)
        return -1;
    return b->pos == b->len ? 0 : -1;
}

void mf_split_done_put(mf_buf *b, uint64_t token, const mf_factored *f)
{
    mf_buf_reset(b);
    mf_buf_put_u64(b, token);
    mf_factored_put(b, f);
}

int mf_split_done_get(mf_buf *b, uint64_t *token, mf_factored *f)
{
    b->pos = 0;
    b->failed = 0;
    *token = mf_buf_get_u64(b);
    if (b->failed || mf_factored_get(b, f) != 0)
        return -1;
    return b->pos == b->len ? 0 : -1;
}

void mf_text_result_begin(mf_buf *b, uint64_t id)
{
    mf_buf_reset(b);
    mf_buf_put_u8(b, MF_UNIT_TEXT);
    mf_buf_put_u64(b, id);
    mf_buf_put_u64(b, 0); /* output length, patched by mf_text_result_end */
}

void mf_text_result_end(mf_buf *b, uint32_t file, uint64_t bytes, int relative, uint64_t newlines, const mf_buf *msgs,
                        uint64_t numbers, uint64_t invalid,
                        uint64_t verify_failures, uint64_t unfactored, uint64_t candidates, double busy_s,
                        const mf_factored *partial, uint64_t next_p, uint64_t number_candidates,
                        double number_busy_s)
{
    patch_u64(b, TEXT_OUT_LEN_OFFSET, b->len - TEXT_OUT_OFFSET);
    mf_buf_put_u32(b, file);
    mf_buf_put_u64(b, bytes);
    mf_buf_put_u8(b, relative != 0);
    mf_buf_put_u64(b, newlines);
    mf_buf_put_u64(b, numbers);
    mf_buf_put_u64(b, invalid);
    mf_buf_put_u64(b, verify_failures);
    mf_buf_put_u64(b, unfactored);
    mf_buf_put_u64(b, candidates);
    mf_buf_put_u64(b, to_ns(busy_s));
    mf_buf_put_u64(b, msgs->len);
    mf_buf_put(b, msgs->data, msgs->len);
    mf_buf_put_u8(b, partial != NULL);
    if (partial) {
        mf_factored_put(b, partial);
        mf_buf_put_u64(b, next_p);
        mf_buf_put_u64(b, number_candidates);
        mf_buf_put_u64(b, to_ns(number_busy_s));
    }
}

void mf_text_result_detach(mf_buf *b, int holder, mf_buf *out)
{
    mf_buf view = *b;
    view.pos = TEXT_OUT_LEN_OFFSET;
    size_t out_len = (size_t)mf_buf_get_u64(&view);
    mf_buf_reset(out);
    mf_buf_put(out, b->data + TEXT_OUT_OFFSET, out_len);
    size_t rest = b->len - TEXT_OUT_OFFSET - out_len;
    mf_buf_reserve(b, HELD_HEADER - TEXT_OUT_OFFSET);
    memmove(b->data + HELD_HEADER, b->data + TEXT_OUT_OFFSET + out_len, rest);
    b->data[0] = RESULT_TEXT_HELD;
    b->len = TEXT_OUT_OFFSET;
    mf_buf_put_u32(b, (uint32_t)holder);
    b->len = HELD_HEADER + rest;
}

void mf_text_result_hold_as(mf_buf *b, int holder, uint64_t out_len)
{
    mf_buf none;
    mf_buf_init(&none);
    mf_text_result_detach(b, holder, &none);
    mf_buf_free(&none);
    patch_u64(b, TEXT_OUT_LEN_OFFSET, out_len);
}

int mf_result_is_held(const mf_buf *b)
{
    return b->len > 0 && b->data[0] == RESULT_TEXT_HELD;
}

/* A range result up to its divisors, which follow as ndivisors u64. */
static void range_result_head(mf_buf *b, uint64_t id, uint64_t lo, uint64_t hi, size_t ndivisors, uint64_t candidates,
                              double busy_s)
{
    mf_buf_reset(b);
    mf_buf_put_u8(b, MF_UNIT_RANGE);
    mf_buf_put_u64(b, id);
    mf_buf_put_u64(b, lo);
    mf_buf_put_u64(b, hi);
    mf_buf_put_u64(b, candidates);
    mf_buf_put_u64(b, to_ns(busy_s));
    mf_buf_put_u32(b, (uint32_t)ndivisors);
}

void mf_range_result_put(mf_buf *b, uint64_t id, uint64_t lo, uint64_t hi, const mf_value *divisors, size_t ndivisors,
                         uint64_t candidates, double busy_s)
{
    range_result_head(b, id, lo, hi, ndivisors, candidates, busy_s);
    for (size_t i = 0; i < ndivisors; i++)
        mf_buf_put_u64(b, divisors[i].u);
}

void mf_range_result_put_u64(mf_buf *b, uint64_t id, uint64_t lo, uint64_t hi, const uint64_t *divisors,
                             size_t ndivisors, uint64_t candidates, double busy_s)
{
    range_result_head(b, id, lo, hi, ndivisors, candidates, busy_s);
    for (size_t i = 0; i < ndivisors; i++)
        mf_buf_put_u64(b, divisors[i]);
}

/* Reads a length-prefixed byte run into p and len; returns 0 or -1. */
static int get_run(mf_buf *b, const unsigned char **p, size_t *len)
{
    uint64_t n = mf_buf_get_u64(b);
    if (b->failed || n > b->len - b->pos)
        return -1;
    *p = mf_buf_get_bytes(b, (size_t)n);
    *len = (size_t)n;
    return 0;
}

int mf_result_read(mf_buf *b, mf_result_info *r, mf_factored *partial)
{
    memset(r, 0, sizeof *r);
    b->pos = 0;
    b->failed = 0;
    r->kind = (mf_unit_kind)mf_buf_get_u8(b);
    r->id = mf_buf_get_u64(b);
    if (r->kind == MF_UNIT_RANGE) {
        r->lo = mf_buf_get_u64(b);
        r->hi = mf_buf_get_u64(b);
        r->candidates = mf_buf_get_u64(b);
        r->busy_s = (double)mf_buf_get_u64(b) * 1e-9;
        uint32_t n = mf_buf_get_u32(b);
        if (b->failed || (uint64_t)n * 8 > b->len - b->pos)
            return -1;
        r->ndivisors = n;
        r->divisors = mf_buf_get_bytes(b, (size_t)n * 8);
        return 0;
    }
    if ((unsigned)r->kind == RESULT_TEXT_HELD) {
        r->kind = MF_UNIT_TEXT;
        r->held = 1;
        r->out_len = (size_t)mf_buf_get_u64(b);
        r->holder = (int)mf_buf_get_u32(b);
        if (b->failed || r->holder < 1)
            return -1;
    } else if (r->kind != MF_UNIT_TEXT || get_run(b, &r->out, &r->out_len) != 0) {
        return -1;
    }
    r->file = mf_buf_get_u32(b);
    r->bytes = mf_buf_get_u64(b);
    r->relative = mf_buf_get_u8(b) != 0;
    r->newlines = mf_buf_get_u64(b);
    r->numbers = mf_buf_get_u64(b);
    r->invalid = mf_buf_get_u64(b);
    r->verify_failures = mf_buf_get_u64(b);
    r->unfactored = mf_buf_get_u64(b);
    r->candidates = mf_buf_get_u64(b);
    r->busy_s = (double)mf_buf_get_u64(b) * 1e-9;
    if (get_run(b, &r->msgs, &r->msgs_len) != 0)
        return -1;
    r->tail = b->pos;
    r->escalated = mf_buf_get_u8(b) != 0;
    if (r->escalated) {
        if (!partial || mf_factored_get(b, partial) != 0)
            return -1;
        r->next_p = mf_buf_get_u64(b);
        r->number_candidates = mf_buf_get_u64(b);
        r->number_busy_s = (double)mf_buf_get_u64(b) * 1e-9;
    }
    return b->failed ? -1 : 0;
}

void mf_msg_put_invalid(mf_buf *msgs, uint64_t line, const unsigned char *tok, size_t len)
{
    mf_buf_put_u64(msgs, line);
    mf_buf_put_u32(msgs, (uint32_t)len);
    mf_buf_put(msgs, tok, len);
}

void mf_msg_put_text(mf_buf *msgs, const char *text)
{
    size_t len = strlen(text);
    mf_buf_put_u64(msgs, 0);
    mf_buf_put_u32(msgs, (uint32_t)len);
    mf_buf_put(msgs, text, len);
}

int mf_msg_next(mf_buf *view, uint64_t *line, const unsigned char **text, uint32_t *len)
{
    if (view->pos >= view->len)
        return 0;
    *line = mf_buf_get_u64(view);
    *len = mf_buf_get_u32(view);
    if (view->failed || *len > view->len - view->pos)
        return -1;
    *text = mf_buf_get_bytes(view, *len);
    return 1;
}

int mf_msg_render(const unsigned char *msgs, size_t len, const char *name, uint64_t first_line, mf_buf *out)
{
    mf_buf view = {.data = (unsigned char *)msgs, .len = len, .cap = len};
    uint64_t line;
    const unsigned char *p;
    uint32_t n;
    int rc;
    while ((rc = mf_msg_next(&view, &line, &p, &n)) > 0) {
        if (line == 0)
            mf_buf_put(out, p, n);
        else
            mf_invalid_message(out, name, first_line + line - 1, p, n);
    }
    return rc;
}

uint64_t mf_result_divisor(const mf_result_info *r, size_t i)
{
    const unsigned char *d = r->divisors + 8 * i;
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v |= (uint64_t)d[k] << (8 * k);
    return v;
}

void mf_codec_put_stats(mf_buf *b, const mf_rank_stats *s)
{
    mf_buf_put_u32(b, (uint32_t)s->rank);
    mf_buf_put(b, s->host, sizeof s->host);
    mf_buf_put_u64(b, (uint64_t)(s->busy_s * 1e9));
    mf_buf_put_u64(b, (uint64_t)(s->idle_s * 1e9));
    mf_buf_put_u64(b, s->numbers);
    mf_buf_put_u64(b, s->units);
    mf_buf_put_u64(b, s->ranges);
    mf_buf_put_u64(b, s->candidates);
    mf_buf_put_u64(b, s->bytes_sent);
    mf_buf_put_u64(b, s->bytes_received);
    mf_buf_put_u64(b, (uint64_t)(s->cpu_s * 1e9));
    mf_buf_put_u64(b, (uint64_t)(s->busy_cpu_s * 1e9));
    mf_buf_put_u32(b, (uint32_t)s->parent);
    mf_buf_put_u64(b, s->units_served);
    mf_buf_put_u64(b, (uint64_t)(s->service_s * 1e9));
    mf_buf_put_u64(b, s->ranges_relayed);
    mf_buf_put_u64(b, s->numbers_split);
    mf_buf_put_u64(b, s->wasted_candidates);
    mf_buf_put_u64(b, s->ranges_stopped);
}

int mf_codec_get_stats(mf_buf *b, mf_rank_stats *s)
{
    s->rank = (int)mf_buf_get_u32(b);
    const unsigned char *host = mf_buf_get_bytes(b, sizeof s->host);
    if (host)
        memcpy(s->host, host, sizeof s->host);
    s->host[sizeof s->host - 1] = '\0';
    s->busy_s = (double)mf_buf_get_u64(b) * 1e-9;
    s->idle_s = (double)mf_buf_get_u64(b) * 1e-9;
    s->numbers = mf_buf_get_u64(b);
    s->units = mf_buf_get_u64(b);
    s->ranges = mf_buf_get_u64(b);
    s->candidates = mf_buf_get_u64(b);
    s->bytes_sent = mf_buf_get_u64(b);
    s->bytes_received = mf_buf_get_u64(b);
    s->cpu_s = (double)mf_buf_get_u64(b) * 1e-9;
    s->busy_cpu_s = (double)mf_buf_get_u64(b) * 1e-9;
    s->parent = (int)mf_buf_get_u32(b);
    s->units_served = mf_buf_get_u64(b);
    s->service_s = (double)mf_buf_get_u64(b) * 1e-9;
    s->ranges_relayed = mf_buf_get_u64(b);
    s->numbers_split = mf_buf_get_u64(b);
    s->wasted_candidates = mf_buf_get_u64(b);
    s->ranges_stopped = mf_buf_get_u64(b);
    return b->failed ? -1 : 0;
}
