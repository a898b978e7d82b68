/* Encoding and decoding of units, results and statistics as portable little-endian bytes. */
#include "mf_codec.h"

#include <string.h>

#define UNIT_COUNT_OFFSET 16   /* u64 id, u64 first, then u32 count */
#define RESULT_COUNT_OFFSET 8  /* u64 id, then u32 count, u64 candidates, u64 busy_ns */

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

/* Adds one to the u32 stored at offset off of b. */
static void bump_u32(mf_buf *b, size_t off)
{
    uint32_t c = 0;
    for (int i = 0; i < 4; i++)
        c |= (uint32_t)b->data[off + (size_t)i] << (8 * i);
    c++;
    for (int i = 0; i < 4; i++)
        b->data[off + (size_t)i] = (unsigned char)(c >> (8 * i));
}

/* Overwrites 8 bytes at offset off of b with v. */
static void patch_u64(mf_buf *b, size_t off, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b->data[off + (size_t)i] = (unsigned char)(v >> (8 * i));
}

void mf_unit_begin(mf_buf *b, uint64_t id, uint64_t first)
{
    mf_buf_reset(b);
    mf_buf_put_u64(b, id);
    mf_buf_put_u64(b, first);
    mf_buf_put_u32(b, 0);
}

void mf_unit_add(mf_buf *b, const mf_value *n)
{
    mf_codec_put_value(b, n);
    bump_u32(b, UNIT_COUNT_OFFSET);
}

int mf_unit_read_header(mf_buf *b, mf_unit_header *h)
{
    b->pos = 0;
    b->failed = 0;
    h->id = mf_buf_get_u64(b);
    h->first = mf_buf_get_u64(b);
    h->count = mf_buf_get_u32(b);
    return b->failed ? -1 : 0;
}

void mf_result_begin(mf_buf *b, uint64_t id)
{
    mf_buf_reset(b);
    mf_buf_put_u64(b, id);
    mf_buf_put_u32(b, 0);
    mf_buf_put_u64(b, 0);
    mf_buf_put_u64(b, 0);
}

void mf_result_add(mf_buf *b, const mf_factored *f)
{
    mf_codec_put_value(b, &f->n);
    mf_buf_put_u8(b, f->complete ? 1 : 0);
    mf_buf_put_u32(b, (uint32_t)f->nfactors);
    for (size_t i = 0; i < f->nfactors; i++)
        mf_codec_put_value(b, &f->factors[i]);
    if (!f->complete)
        mf_codec_put_value(b, &f->cofactor);
    bump_u32(b, RESULT_COUNT_OFFSET);
}

void mf_result_finish(mf_buf *b, uint64_t candidates, double busy_s)
{
    patch_u64(b, RESULT_COUNT_OFFSET + 4, candidates);
    patch_u64(b, RESULT_COUNT_OFFSET + 12, (uint64_t)(busy_s * 1e9));
}

int mf_result_read_header(mf_buf *b, mf_result_header *h)
{
    b->pos = 0;
    b->failed = 0;
    h->id = mf_buf_get_u64(b);
    h->count = mf_buf_get_u32(b);
    h->candidates = mf_buf_get_u64(b);
    h->busy_s = (double)mf_buf_get_u64(b) * 1e-9;
    return b->failed ? -1 : 0;
}

int mf_result_next(mf_buf *b, mf_factored *f)
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

void mf_codec_put_stats(mf_buf *b, const mf_rank_stats *s)
{
    mf_buf_put_u32(b, (uint32_t)s->rank);
    mf_buf_put(b, s->host, sizeof s->host);
    mf_buf_put_u64(b, (uint64_t)(s->busy_s * 1e9));
    mf_buf_put_u64(b, (uint64_t)(s->idle_s * 1e9));
    mf_buf_put_u64(b, s->numbers);
    mf_buf_put_u64(b, s->units);
    mf_buf_put_u64(b, s->candidates);
    mf_buf_put_u64(b, s->bytes_sent);
    mf_buf_put_u64(b, s->bytes_received);
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
    s->candidates = mf_buf_get_u64(b);
    s->bytes_sent = mf_buf_get_u64(b);
    s->bytes_received = mf_buf_get_u64(b);
    return b->failed ? -1 : 0;
}
