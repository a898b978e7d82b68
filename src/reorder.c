/* Ring of result slots indexed by unit id, released strictly in id order. */
#include "mf_reorder.h"

#include <stdlib.h>

int mf_reorder_init(mf_reorder *r, size_t window)
{
    r->window = window ? window : 1;
    r->next = 0;
    r->slots = calloc(r->window, sizeof *r->slots);
    r->filled = calloc(r->window, sizeof *r->filled);
    if (!r->slots || !r->filled) {
        free(r->slots);
        free(r->filled);
        return -1;
    }
    for (size_t i = 0; i < r->window; i++)
        mf_buf_init(&r->slots[i]);
    return 0;
}

void mf_reorder_free(mf_reorder *r)
{
    for (size_t i = 0; r->slots && i < r->window; i++)
        mf_buf_free(&r->slots[i]);
    free(r->slots);
    free(r->filled);
    r->slots = NULL;
    r->filled = NULL;
}

bool mf_reorder_has_room(const mf_reorder *r, uint64_t id)
{
    return id >= r->next && id - r->next < r->window;
}

int mf_reorder_put(mf_reorder *r, uint64_t id, mf_buf *result)
{
    if (!mf_reorder_has_room(r, id))
        return -1;
    size_t i = (size_t)(id % r->window);
    if (r->filled[i])
        return -1;
    mf_buf tmp = r->slots[i];
    r->slots[i] = *result;
    *result = tmp;
    mf_buf_reset(result);
    r->filled[i] = true;
    return 0;
}

mf_buf *mf_reorder_ready(mf_reorder *r)
{
    size_t i = (size_t)(r->next % r->window);
    return r->filled[i] ? &r->slots[i] : NULL;
}

void mf_reorder_advance(mf_reorder *r)
{
    size_t i = (size_t)(r->next % r->window);
    r->filled[i] = false;
    mf_buf_reset(&r->slots[i]);
    r->next++;
}
