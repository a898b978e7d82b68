/* Results in input order: a doubly linked list of segments in a slot pool, addressed by generation ids. */
#include "mf_order.h"

#include <stdlib.h>

#define NIL UINT32_MAX
#define KEY_GAP (UINT64_C(1) << 24) /* between consecutive keys after appending or relabelling */

static uint64_t id_of(const mf_order *o, uint32_t i)
{
    return (uint64_t)o->segs[i].gen << 32 | i;
}

/* Slot of a live segment id, or NIL. */
static uint32_t slot_of(const mf_order *o, uint64_t id)
{
    uint32_t i = (uint32_t)id;
    if (id == MF_ORDER_NONE || i >= o->cap || !o->segs[i].live || o->segs[i].gen != (uint32_t)(id >> 32))
        return NIL;
    return i;
}

void mf_order_init(mf_order *o)
{
    o->segs = NULL;
    o->cap = 0;
    o->free_head = NIL;
    o->head = o->tail = NIL;
    o->live = 0;
    o->epoch = 0;
}

void mf_order_free(mf_order *o)
{
    for (uint32_t i = 0; i < o->cap; i++)
        mf_buf_free(&o->segs[i].data);
    free(o->segs);
    mf_order_init(o);
}

/* Takes a free slot (growing the pool when none is left) and marks it live and waiting. */
static uint32_t take_slot(mf_order *o)
{
    if (o->free_head == NIL) {
        uint32_t cap = o->cap ? o->cap * 2 : 64;
        mf_order_seg *segs = realloc(o->segs, (size_t)cap * sizeof *segs);
        if (!segs)
            abort();
        for (uint32_t i = o->cap; i < cap; i++) {
            segs[i].gen = 0;
            segs[i].live = false;
            mf_buf_init(&segs[i].data);
            segs[i].next = i + 1 < cap ? i + 1 : NIL;
        }
        o->free_head = o->cap;
        o->segs = segs;
        o->cap = cap;
    }
    uint32_t i = o->free_head;
    mf_order_seg *s = &o->segs[i];
    o->free_head = s->next;
    s->gen++;
    s->live = true;
    s->ready = false;
    mf_buf_reset(&s->data);
    o->live++;
    return i;
}

/* Gives the live segments evenly spaced keys again. */
static void relabel(mf_order *o)
{
    uint64_t k = KEY_GAP;
    for (uint32_t i = o->head; i != NIL; i = o->segs[i].next, k += KEY_GAP)
        o->segs[i].key = k;
    o->epoch++;
}

uint64_t mf_order_append(mf_order *o)
{
    if (o->tail != NIL && o->segs[o->tail].key > UINT64_MAX / 2)
        relabel(o);
    uint64_t key = o->tail == NIL ? KEY_GAP : o->segs[o->tail].key + KEY_GAP;
    uint32_t i = take_slot(o);
    o->segs[i].key = key;
    o->segs[i].prev = o->tail;
    o->segs[i].next = NIL;
    if (o->tail == NIL)
        o->head = i;
    else
        o->segs[o->tail].next = i;
    o->tail = i;
    return id_of(o, i);
}

uint64_t mf_order_fresh_id(uint32_t k)
{
    return (uint64_t)1 << 32 | k; /* slot k from a free list in ascending order, in its first generation */
}

uint64_t mf_order_insert_after(mf_order *o, uint64_t id)
{
    uint32_t at = slot_of(o, id);
    if (at == NIL)
        return MF_ORDER_NONE;
    uint32_t after = o->segs[at].next;
    if (after != NIL ? o->segs[after].key - o->segs[at].key < 2 : o->segs[at].key > UINT64_MAX / 2)
        relabel(o);
    uint64_t lo = o->segs[at].key, hi = after != NIL ? o->segs[after].key : lo + 2 * KEY_GAP;
    uint32_t i = take_slot(o); /* may move the pool: indices stay valid */
    o->segs[i].key = lo + (hi - lo) / 2;
    o->segs[i].prev = at;
    o->segs[i].next = after;
    o->segs[at].next = i;
    if (after == NIL)
        o->tail = i;
    else
        o->segs[after].prev = i;
    return id_of(o, i);
}

int mf_order_put(mf_order *o, uint64_t id, mf_buf *data)
{
    uint32_t i = slot_of(o, id);
    if (i == NIL || o->segs[i].ready)
        return -1;
    mf_buf tmp = o->segs[i].data;
    o->segs[i].data = *data;
    *data = tmp;
    mf_buf_reset(data);
    o->segs[i].ready = true;
    return 0;
}

mf_buf *mf_order_ready(mf_order *o)
{
    if (o->head == NIL || !o->segs[o->head].ready)
        return NULL;
    return &o->segs[o->head].data;
}

void mf_order_advance(mf_order *o)
{
    uint32_t i = o->head;
    if (i == NIL)
        return;
    o->head = o->segs[i].next;
    if (o->head == NIL)
        o->tail = NIL;
    else
        o->segs[o->head].prev = NIL;
    o->segs[i].live = false;
    o->segs[i].next = o->free_head;
    o->free_head = i;
    o->live--;
}

uint64_t mf_order_first(const mf_order *o)
{
    return o->head == NIL ? MF_ORDER_NONE : id_of(o, o->head);
}

uint64_t mf_order_next(const mf_order *o, uint64_t id)
{
    uint32_t i = slot_of(o, id);
    if (i == NIL || o->segs[i].next == NIL)
        return MF_ORDER_NONE;
    return id_of(o, o->segs[i].next);
}

uint64_t mf_order_key(const mf_order *o, uint64_t id)
{
    uint32_t i = slot_of(o, id);
    return i == NIL ? UINT64_MAX : o->segs[i].key;
}
