/* A first-in first-out queue of encoded units waiting to go out again (handed-back rests), kept in a ring of
   buffers that are reused rather than freed (pure: no MPI). */
#ifndef MPIFACTOR_UNITQ_H
#define MPIFACTOR_UNITQ_H

#include <stdbool.h>
#include <stddef.h>

#include "mf_buf.h"

typedef struct mf_unitq {
    mf_buf *ring;
    size_t head, count, cap;
} mf_unitq;

/* Initializes an empty queue. Pair with mf_unitq_free. */
void mf_unitq_init(mf_unitq *q);
/* Frees every buffer. */
void mf_unitq_free(mf_unitq *q);
/* Appends an emptied buffer at the back and returns it for the caller to fill. Aborts when out of memory. */
mf_buf *mf_unitq_push(mf_unitq *q);
/* Takes the unit at the front into *out by swapping buffers (the queue keeps *out's old storage for reuse).
   Returns false when the queue is empty. */
bool mf_unitq_pop(mf_unitq *q, mf_buf *out);
/* Units waiting. */
static inline size_t mf_unitq_len(const mf_unitq *q) { return q->count; }

#endif
