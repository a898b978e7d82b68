/* Results in input order: a list of segments (units and split numbers) that grows in the middle when a
   unit hands back its rest, and releases its head as soon as the head is ready (pure: no MPI, no I/O). */
#ifndef MPIFACTOR_ORDER_H
#define MPIFACTOR_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mf_buf.h"

#define MF_ORDER_NONE UINT64_MAX

typedef struct mf_order_seg {
    uint32_t gen;      /* bumped on every reuse of the slot, so stale ids are refused */
    bool live, ready;
    uint32_t prev, next;
    uint64_t key;      /* position: keys grow along the list */
    mf_buf data;       /* the segment's result once ready */
} mf_order_seg;

typedef struct mf_order {
    mf_order_seg *segs;
    uint32_t cap;
    uint32_t free_head;     /* free slots chained through next */
    uint32_t head, tail;    /* live segments in input order */
    size_t live;
    uint64_t epoch;         /* bumped whenever every key changes (insertions ran out of room) */
} mf_order;

/* Initializes an empty list. */
void mf_order_init(mf_order *o);
/* Frees all storage. */
void mf_order_free(mf_order *o);
/* Appends a waiting segment at the end; returns its id. Aborts on out-of-memory. */
uint64_t mf_order_append(mf_order *o);
/* The id that the k-th append (from 0) to a fresh order returns, before any other call that takes a segment
   (what a node leader names its opening slice by, with no message from rank 0). */
uint64_t mf_order_fresh_id(uint32_t k);
/* Inserts a waiting segment right after segment id; returns the new id, or MF_ORDER_NONE when id is not a
   live segment. */
uint64_t mf_order_insert_after(mf_order *o, uint64_t id);
/* Stores the result of waiting segment id by swapping it with *data (*data gets an empty buffer to reuse)
   and marks it ready. Returns 0, or -1 when id is unknown or already ready. */
int mf_order_put(mf_order *o, uint64_t id, mf_buf *data);
/* The first segment's result when it is ready, else NULL. */
mf_buf *mf_order_ready(mf_order *o);
/* Releases the first segment (after its result was written). */
void mf_order_advance(mf_order *o);
/* Position of live segment id: a's key is below b's exactly when a comes first in input order, so that
   positions compare in one step. UINT64_MAX when id is not live. The keys of all segments change together
   (mf_order_epoch changes) when insertions at one place run out of room, about once per 20 nested ones. */
uint64_t mf_order_key(const mf_order *o, uint64_t id);
static inline uint64_t mf_order_epoch(const mf_order *o) { return o->epoch; }
/* Live segments (waiting or ready, not yet released). */
static inline size_t mf_order_live(const mf_order *o) { return o->live; }
/* Id of the first live segment, or of the one after id, in input order; MF_ORDER_NONE at the end. */
uint64_t mf_order_first(const mf_order *o);
uint64_t mf_order_next(const mf_order *o, uint64_t id);

#endif
