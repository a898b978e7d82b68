/* The numbers being split: a slot table addressed by generation ids, head-of-line choice of ranges. */
#include "mf_splits.h"

#include <stdlib.h>

#define SLOT_OF(id) ((size_t)((id) & 0xffffffffu))
#define GEN_OF(id) ((uint32_t)((id) >> 32))

void mf_splits_init(mf_splits *t)
{
    t->slots = NULL;
    t->nslots = t->cap = 0;
    t->live = 0;
    t->pending = NULL;
    t->npending = 0;
    t->epoch = 0;
    t->free_slots = NULL;
    t->nfree = 0;
    t->started = 0;
    t->wasted = 0;
}

void mf_splits_free(mf_splits *t)
{
    for (size_t i = 0; i < t->nslots; i++)
        mf_split_free(&t->slots[i].split);
    free(t->slots);
    free(t->pending);
    free(t->free_slots);
    mf_splits_init(t);
}

/* Marks a slot free once its number is done and no report is outstanding. */
static void release_if_idle(mf_splits *t, mf_splits_slot *s)
{
    if (s->live && mf_split_done(&s->split) && mf_split_outstanding(&s->split) == 0) {
        s->live = false;
        t->live--;
        t->free_slots[t->nfree++] = (size_t)(s - t->slots);
    }
}

/* Brings a pending number's entry up to date with its split. */
static void refresh_entry(mf_splits *t, const mf_splits_slot *s)
{
    mf_splits_entry *e = &t->pending[s->entry];
    e->outstanding = (uint32_t)mf_split_outstanding(&s->split);
    e->more = mf_split_left(&s->split) > 0;
}

/* Removes a completed number from the pending table. */
static void drop_entry(mf_splits *t, mf_splits_slot *s)
{
    size_t k = s->entry;
    t->pending[k] = t->pending[--t->npending];
    if (k < t->npending)
        t->slots[t->pending[k].slot].entry = k;
}

const mf_split *mf_splits_start(mf_splits *t, mf_order *order, uint64_t seg, const mf_factored *partial,
                                uint64_t p, uint64_t max_divisor)
{
    uint64_t key = mf_order_key(order, seg);
    if (key == UINT64_MAX)
        return NULL; /* not a live segment */
    size_t i = t->nfree > 0 ? t->free_slots[--t->nfree] : t->nslots;
    if (i == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        mf_splits_slot *slots = realloc(t->slots, cap * sizeof *slots);
        if (slots)
            t->slots = slots;
        size_t *free_slots = realloc(t->free_slots, cap * sizeof *free_slots);
        if (free_slots)
            t->free_slots = free_slots;
        mf_splits_entry *pending = realloc(t->pending, cap * sizeof *pending);
        if (pending)
            t->pending = pending;
        if (!slots || !free_slots || !pending)
            abort();
        t->cap = cap;
    }
    if (i == t->nslots) {
        t->slots[i].live = false;
        t->slots[i].gen = 0;
        mf_split_init(&t->slots[i].split);
        t->nslots++;
    }
    mf_splits_slot *s = &t->slots[i];
    if (mf_split_start(&s->split, partial, p, max_divisor) != 0) {
        t->free_slots[t->nfree++] = i;
        return NULL;
    }
    t->started++;
    s->gen++;
    s->seg = seg;
    s->live = true;
    t->live++;
    if (!mf_split_done(&s->split)) {
        if (t->npending == 0)
            t->epoch = mf_order_epoch(order);
        s->entry = t->npending++;
        t->pending[s->entry] = (mf_splits_entry){.key = key, .slot = (uint32_t)i};
        refresh_entry(t, s);
    }
    release_if_idle(t, s);
    return &s->split;
}

bool mf_splits_next_range(mf_splits *t, const mf_order *order, const mf_range_size *size, size_t max_outstanding,
                          uint64_t *id, uint64_t *lo, uint64_t *hi, mpz_srcptr *cofactor)
{
    if (t->npending == 0)
        return false;
    if (t->epoch != mf_order_epoch(order)) { /* the order renumbered its keys */
        for (size_t k = 0; k < t->npending; k++)
            t->pending[k].key = mf_order_key(order, t->slots[t->pending[k].slot].seg);
        t->epoch = mf_order_epoch(order);
    }
    /* the number nearest the head of the output that can issue a range goes first */
    size_t best = t->npending;
    for (size_t k = 0; k < t->npending; k++) {
        const mf_splits_entry *e = &t->pending[k];
        if (e->more && (max_outstanding == 0 || e->outstanding < max_outstanding) &&
            (best == t->npending || e->key < t->pending[best].key))
            best = k;
    }
    if (best == t->npending)
        return false;
    size_t i = t->pending[best].slot;
    mf_splits_slot *s = &t->slots[i];
    uint64_t left = mf_split_left(&s->split);
    bool issued = left > 0 && mf_split_next_range(&s->split, mf_range_size_pick(size, left), max_outstanding, lo, hi);
    refresh_entry(t, s);
    if (!issued) /* cannot happen while the entries are kept up to date */
        return false;
    *id = (uint64_t)s->gen << 32 | i;
    *cofactor = s->split.cofactor;
    return true;
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
        drop_entry(t, s);
        *done = &s->split;
        *seg = s->seg;
    } else if (!was_done) {
        refresh_entry(t, s);
    }
    release_if_idle(t, s);
    return completed;
}
