/* A node leader's block: the results of the units it cut from one slice of rank 0's, merged in input order into
   the one result rank 0 expects for that slice (pure: no MPI, no I/O). The outputs stay where they are held (a
   kid of the leader, or the leader itself): the block lists them in order as pieces, and the leader passes
   rank 0's placement of the slice on to each piece's holder. */
#ifndef MPIFACTOR_BLOCK_H
#define MPIFACTOR_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "mf_buf.h"
#include "mf_codec.h"
#include "mf_factor.h"

/* One held output of the block: rank holder keeps unit id's len bytes. */
typedef struct mf_piece {
    int holder;
    uint64_t id, len;
} mf_piece;

typedef struct mf_block {
    uint64_t id;              /* rank 0's id of the slice */
    uint32_t file;
    mf_piece *pieces;         /* the outputs of the results taken so far, in order */
    size_t npieces, cap;
    uint64_t out_len;         /* their bytes */
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
/* Appends the next held text result in input order (kind 3, not escalated: as a unit cut from the block or a
   split number's result, once held): its output as a piece, and its messages with their lines shifted past the
   newlines of the results before it (a result with absolute lines, a split number's, brings whole messages
   only). partial: scratch for decoding. Returns 0, or -1 when b holds no such result (the block is unchanged). */
int mf_block_add(mf_block *k, mf_buf *b, mf_factored *partial);
/* Writes the block's result into out (reset first): a text result with relative lines whose out_len bytes of
   output rank holder keeps, as a unit cut by offset would return for the whole slice. Then moves the pieces
   into *pieces (malloc'd, the caller frees; *n of them) and leaves the block empty until mf_block_begin. */
void mf_block_finish(mf_block *k, int holder, mf_buf *out, mf_piece **pieces, size_t *n);

#endif
