/* A ring of reusable buffers holding encoded units, oldest first. */
#include "mf_unitq.h"

#include <stdlib.h>

void mf_unitq_init(mf_unitq *q)
{
    q->ring = NULL;
    q->head = q->count = q->cap = 0;
}

void mf_unitq_free(mf_unitq *q)
{
    for (size_t i = 0; i < q->cap; i++)
        mf_buf_free(&q->ring[i]);
    free(q->ring);
    mf_unitq_init(q);
}

mf_buf *mf_unitq_push(mf_unitq *q)
{
    if (q->count == q->cap) { /* full: a bigger ring, oldest entry first again */
        size_t cap = q->cap ? 2 * q->cap : 8;
        mf_buf *grown = malloc(cap * sizeof *grown);
        if (!grown)
            abort();
        for (size_t i = 0; i < cap; i++) {
            if (i < q->cap)
                grown[i] = q->ring[(q->head + i) % q->cap];
            else
                mf_buf_init(&grown[i]);
        }
        free(q->ring);
        q->ring = grown;
        q->head = 0;
        q->cap = cap;
    }
    mf_buf *b = &q->ring[(q->head + q->count++) % q->cap];
    mf_buf_reset(b);
    return b;
}

bool mf_unitq_pop(mf_unitq *q, mf_buf *out)
{
    if (q->count == 0)
        return false;
    mf_buf tmp = *out;
    *out = q->ring[q->head];
    q->ring[q->head] = tmp;
    q->head = (q->head + 1) % q->cap;
    q->count--;
    return true;
}
