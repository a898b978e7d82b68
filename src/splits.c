/* The numbers being split: a slot table addressed by generation ids, head-of-line choice of ranges. */
#include "mf_splits.h"

#include <stdlib.h>

#define SLOT_OF(id) ((size_t)((id) & 0xffffffffu))
#define GEN_OF(id) ((uint32_t)((id) >> 32))

void mf_splits_init(mf_splits *t)
{
    t->slots = NULL;
    t->nslots = 0;
    t->live = 0;
    t->started = 0;
    t->wasted = 0;
}

void mf_splits_free(mf_splits *t)
{
    for (size_t i = 0; i < t->nslots; i++)
        mf_split_free(&t->slots[i].split);
    free(t->slots);
    mf_splits_init(t);
}

/* Marks a slot free once its number is done and no report is outstanding. */
static void release_if_idle(mf_splits *t, mf_splits_slot *s)
{
    if (s->live && mf_split_done(&s->split) && mf_split_outstanding(&s->split) == 0) {
        s->live = false;
        t->live--;
    }
}

const mf_split *mf_splits_start(mf_splits *t, uint64_t seg, const mf_factored *partial, uint64_t p,
                                uint64_t max_divisor)
{
    size_t i = 0;
    while (i < t->nslots && t->slots[i].live)
        i++;
    if (i == t->nslots) {
        mf_splits_slot *grown = realloc(t->slots, (t->nslots + 1) * sizeof *grown);
        if (!grown)
            abort();
        t->slots = grown;
        t->slots[i].live = false;
        t->slots[i].gen = 0;
        mf_split_init(&t->slots[i].split);
        t->nslots++;
    }
    mf_splits_slot *s = &t->slots[i];
    if (mf_split_start(&s->split, partial, p, max_divisor) != 0)
        return NULL;
    t->started++;
    s->gen++;
    s->seg = seg;
    s->live = true;
    t->live++;
    release_if_idle(t, s);
    return &s->split;
}

bool mf_splits_next_range(mf_splits *t, const mf_order *order, uint64_t width, size_t max_outstanding,
                          uint64_t *id, uint64_t *lo, uint64_t *hi, mpz_srcptr *cofactor)
{
    if (t->live == 0)
        return false;
    /* walk the output from its head: the first split number that can issue a range goes first */
    size_t pending = 0;
    for (size_t i = 0; i < t->nslots; i++)
        pending += t->slots[i].live && !mf_split_done(&t->slots[i].split);
    for (uint64_t seg = mf_order_first(order); seg != MF_ORDER_NONE && pending > 0; seg = mf_order_next(order, seg)) {
        for (size_t i = 0; i < t->nslots; i++) {
            mf_splits_slot *s = &t->slots[i];
            if (!s->live || s->seg != seg || mf_split_done(&s->split))
                continue;
            pending--;
            if (!mf_split_next_range(&s->split, width, max_outstanding, lo, hi))
                continue;
            *id = (uint64_t)s->gen << 32 | i;
            *cofactor = s->split.cofactor;
            return true;
        }
    }
    return false;
}

int mf_splits_report(mf_splits *t, uint64_t id, uint64_t lo, uint64_t hi, const uint64_t *divisors,
                     size_t ndivisors, uint64_t candidates, const mf_split **done, uint64_t *seg)
{
    size_t i = SLOT_OF(id);
    if (i >= t->nslots || !t->slots[i].live || t->slots[i].gen != GEN_OF(id))
        return -1;
    mf_splits_slot *s = &t->slots[i];
    bool was_done = mf_split_done(&s->split);
    uint64_t wasted = s->split.wasted;
    if (mf_split_report(&s->split, lo, hi, divisors, ndivisors, candidates) != 0)
        return -1;
    t->wasted += s->split.wasted - wasted;
    int completed = !was_done && mf_split_done(&s->split);
    if (completed) {
        *done = &s->split;
        *seg = s->seg;
    }
    release_if_idle(t, s);
    return completed;
}
