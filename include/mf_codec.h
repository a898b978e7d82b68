/* Byte encodings of work units, results and rank statistics (pure: no MPI, no I/O).

   value  := u8 kind (0: u64, 1: big) then u64 little-endian, or u32 length + big-endian magnitude
   unit   := u64 unit_id, u64 first_index, u32 count, count x value
   result := u64 unit_id, u32 count, u64 candidates, u64 busy_ns,
             count x (value n, u8 complete, u32 nfactors, nfactors x value, [value cofactor if !complete])
   stats  := i32 rank, 64 bytes host, u64 busy_ns, u64 idle_ns, u64 numbers, units, candidates,
             bytes_sent, bytes_received */
#ifndef MPIFACTOR_CODEC_H
#define MPIFACTOR_CODEC_H

#include <stdint.h>

#include "mf_buf.h"
#include "mf_stats.h"
#include "mf_value.h"

typedef struct mf_unit_header {
    uint64_t id;
    uint64_t first;   /* input position (0-based, valid numbers only) of the first number */
    uint32_t count;
} mf_unit_header;

typedef struct mf_result_header {
    uint64_t id;
    uint32_t count;
    uint64_t candidates;
    double busy_s;
} mf_result_header;

/* Slow paths of the two functions below, for values of 2^64 or more (kind byte already handled). */
void mf_codec_put_big(mf_buf *b, const mf_value *v);
int mf_codec_get_big(mf_buf *b, mf_value *v);

/* Appends v. */
static inline void mf_codec_put_value(mf_buf *b, const mf_value *v)
{
    if (v->is_big) {
        mf_codec_put_big(b, v);
        return;
    }
    mf_buf_reserve(b, 9);
    unsigned char *d = b->data + b->len;
    d[0] = 0;
    for (int i = 0; i < 8; i++)
        d[1 + i] = (unsigned char)(v->u >> (8 * i));
    b->len += 9;
}

/* Reads a value into v; returns 0, or -1 on malformed input. */
static inline int mf_codec_get_value(mf_buf *b, mf_value *v)
{
    unsigned kind = mf_buf_get_u8(b);
    if (kind == 0) {
        mf_value_set_u64(v, mf_buf_get_u64(b));
        return b->failed ? -1 : 0;
    }
    return kind == 1 ? mf_codec_get_big(b, v) : -1;
}

/* Starts a unit in the empty buffer b (count 0). */
void mf_unit_begin(mf_buf *b, uint64_t id, uint64_t first);
/* Appends one number to the unit in b and increments its count. */
void mf_unit_add(mf_buf *b, const mf_value *n);
/* Reads the unit header from the start of b (rewinds b); returns 0 or -1. Then get values. */
int mf_unit_read_header(mf_buf *b, mf_unit_header *h);

/* Starts a result for unit id in the empty buffer b. */
void mf_result_begin(mf_buf *b, uint64_t id);
/* Appends one factorization and increments the count. */
void mf_result_add(mf_buf *b, const mf_factored *f);
/* Stores the unit's totals in the header of the result in b. */
void mf_result_finish(mf_buf *b, uint64_t candidates, double busy_s);
/* Reads the result header from the start of b (rewinds b); returns 0 or -1. */
int mf_result_read_header(mf_buf *b, mf_result_header *h);
/* Reads the next factorization into f; returns 0 or -1 on malformed input. */
int mf_result_next(mf_buf *b, mf_factored *f);

/* Appends / reads rank statistics (read returns 0 or -1). */
void mf_codec_put_stats(mf_buf *b, const mf_rank_stats *s);
int mf_codec_get_stats(mf_buf *b, mf_rank_stats *s);

#endif
