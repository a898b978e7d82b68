/* A node leader's block: the results of the units it cut from one slice of rank 0's, merged in input order into
   the one result rank 0 expects for that slice (pure: no MPI, no I/O). */
#ifndef MPIFACTOR_BLOCK_H
#define MPIFACTOR_BLOCK_H

#include <stdint.h>

#include "mf_buf.h"
#include "mf_codec.h"
#include "mf_factor.h"

typedef struct mf_block {
    uint64_t id;              /* rank 0's id of the slice */
    uint32_t file;
    mf_buf out;               /* the records of the results taken so far, in order */
    mf_buf msgs;              /* their messages as records, lines counted from the block's first */
    uint64_t bytes, newlines, numbers, invalid, verify_failures, unfactored, candidates;
    double busy_s;
} mf_block;

/* Initializes an empty block. */
void mf_block_init(mf_block *k);
/* Frees all storage. */
void mf_block_free(mf_block *k);
/* Starts block id of input file (its results taken so far are dropped). */
void mf_block_begin(mf_block *k, uint64_t id, uint32_t file);
/* Appends the next text result in input order (kind 1, not held, not escalated: as a unit cut from the block
   or a split number's result): its records, and its messages with their lines shifted past the newlines of
   the results before it (a result with absolute lines, a split number's, brings whole messages only).
   partial: scratch for decoding. Returns 0, or -1 when b holds no such result (the block is unchanged). */
int mf_block_add(mf_block *k, mf_buf *b, mf_factored *partial);
/* Writes the block's result into out (reset first): a text result with relative lines, as a unit cut by offset
   would return for the whole slice. The block stays as it is until mf_block_begin. */
void mf_block_finish(const mf_block *k, mf_buf *out);

#endif
