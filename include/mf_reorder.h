/* Bounded reorder buffer: holds encoded unit results until every earlier unit has arrived. */
#ifndef MPIFACTOR_REORDER_H
#define MPIFACTOR_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mf_buf.h"

typedef struct mf_reorder {
    size_t window;     /* units that may be outstanding beyond the next one to write */
    mf_buf *slots;     /* slots[id % window] */
    bool *filled;
    uint64_t next;     /* id of the next unit to write */
} mf_reorder;

/* Creates a buffer for `window` units (window >= 1), starting at unit id 0. Returns 0 or -1. */
int mf_reorder_init(mf_reorder *r, size_t window);
/* Frees all storage. */
void mf_reorder_free(mf_reorder *r);
/* True when unit id may be handed out now (id < next + window). */
bool mf_reorder_has_room(const mf_reorder *r, uint64_t id);
/* Stores the result of unit id by swapping it with *result (no copy; *result gets an empty buffer
   to reuse). Returns 0, or -1 when id is outside the window or already stored. */
int mf_reorder_put(mf_reorder *r, uint64_t id, mf_buf *result);
/* Returns the result of the next unit in order if it has arrived, else NULL. */
mf_buf *mf_reorder_ready(mf_reorder *r);
/* Releases the next unit (after it was written) and advances to the one after it. */
void mf_reorder_advance(mf_reorder *r);

#endif
