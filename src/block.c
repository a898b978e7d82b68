/* A node leader's block result: its units' results merged in input order into one for rank 0. */
#include "mf_block.h"

#include <stdlib.h>

void mf_block_init(mf_block *k)
{
    *k = (mf_block){0};
    mf_buf_init(&k->msgs);
}

void mf_block_free(mf_block *k)
{
    free(k->pieces);
    k->pieces = NULL;
    k->npieces = k->cap = 0;
    mf_buf_free(&k->msgs);
}

void mf_block_begin(mf_block *k, uint64_t id, uint32_t file)
{
    mf_buf_reset(&k->msgs);
    k->id = id;
    k->file = file;
    k->npieces = 0;
    k->out_len = k->bytes = k->newlines = k->numbers = k->invalid = k->verify_failures = k->unfactored = 0;
    k->candidates = 0;
    k->busy_s = 0;
}

/* Appends the message records (msgs, len) with their lines shifted by `shift`. Returns 0, or -1 when malformed. */
static int shift_records(mf_buf *to, const unsigned char *msgs, size_t len, uint64_t shift)
{
    mf_buf view = {.data = (unsigned char *)msgs, .len = len, .cap = len};
    uint64_t line;
    const unsigned char *p;
    uint32_t n;
    int rc;
    while ((rc = mf_msg_next(&view, &line, &p, &n)) > 0) {
        mf_buf_put_u64(to, line ? line + shift : 0);
        mf_buf_put_u32(to, n);
        mf_buf_put(to, p, n);
    }
    return rc;
}

int mf_block_add(mf_block *k, mf_buf *b, mf_factored *partial)
{
    mf_result_info r;
    if (mf_result_read(b, &r, partial) != 0 || r.kind != MF_UNIT_TEXT || !r.held || r.escalated)
        return -1;
    k->pieces = mf_array_grow(k->pieces, &k->cap, k->npieces, sizeof *k->pieces, 16);
    size_t msgs_at = k->msgs.len;
    if (r.relative) {
        if (shift_records(&k->msgs, r.msgs, r.msgs_len, k->newlines) != 0) {
            k->msgs.len = msgs_at;
            return -1;
        }
    } else if (r.msgs_len > 0) { /* whole lines for stderr: one message record */
        mf_buf_put_u64(&k->msgs, 0);
        mf_buf_put_u32(&k->msgs, (uint32_t)r.msgs_len);
        mf_buf_put(&k->msgs, r.msgs, r.msgs_len);
    }
    k->pieces[k->npieces++] = (mf_piece){.holder = r.holder, .id = r.id, .len = r.out_len};
    k->out_len += r.out_len;
    if (r.relative)
        k->newlines += r.newlines;
    k->bytes += r.bytes;
    k->numbers += r.numbers;
    k->invalid += r.invalid;
    k->verify_failures += r.verify_failures;
    k->unfactored += r.unfactored;
    k->candidates += r.candidates;
    k->busy_s += r.busy_s;
    return 0;
}

void mf_block_finish(mf_block *k, int holder, mf_buf *out, mf_piece **pieces, size_t *n)
{
    mf_text_result_begin(out, k->id);
    mf_text_result_end(out, k->file, k->bytes, 1, k->newlines, &k->msgs, k->numbers, k->invalid, k->verify_failures,
                       k->unfactored, k->candidates, k->busy_s, NULL, 0, 0, 0);
    mf_text_result_hold_as(out, holder, k->out_len);
    *pieces = k->pieces;
    *n = k->npieces;
    k->pieces = NULL;
    k->npieces = k->cap = 0;
}
