/* Units in flight per rank (a small ring each) and the choice of a unit to hand back early, head of line first. */
#include "mf_flights.h"

#include <stdlib.h>

int mf_flights_init(mf_flights *f, int ranks)
{
    f->ranks = ranks;
    f->ring = calloc((size_t)ranks * MF_SLICES_IN_FLIGHT, sizeof *f->ring);
    f->head = calloc((size_t)ranks, sizeof *f->head);
    f->held = calloc((size_t)ranks, sizeof *f->held);
    if (!f->ring || !f->head || !f->held) {
        mf_flights_free(f);
        return -1;
    }
    return 0;
}

void mf_flights_free(mf_flights *f)
{
    free(f->ring);
    free(f->head);
    free(f->held);
    f->ring = NULL;
    f->head = f->held = NULL;
}

static mf_flight *at(const mf_flights *f, int w, int i)
{
    return &f->ring[(size_t)w * MF_SLICES_IN_FLIGHT + (size_t)((f->head[w] + i) % MF_SLICES_IN_FLIGHT)];
}

int mf_flights_push(mf_flights *f, int w, uint64_t id, bool text, double now)
{
    if (w < 0 || w >= f->ranks || f->held[w] >= MF_SLICES_IN_FLIGHT)
        return -1;
    *at(f, w, f->held[w]) = (mf_flight){.id = id, .text = text, .since = f->held[w] == 0 ? now : 0};
    f->held[w]++;
    return 0;
}

int mf_flights_ids(const mf_flights *f, int w, uint64_t *ids)
{
    if (w < 0 || w >= f->ranks)
        return 0;
    for (int i = 0; i < f->held[w]; i++)
        ids[i] = at(f, w, i)->id;
    return f->held[w];
}

int mf_flights_pop(mf_flights *f, int w, double now)
{
    if (w < 0 || w >= f->ranks || f->held[w] == 0)
        return -1;
    f->head[w] = (f->head[w] + 1) % MF_SLICES_IN_FLIGHT;
    if (--f->held[w] > 0)
        at(f, w, 0)->since = now;
    return 0;
}

uint64_t mf_flights_first_text(const mf_flights *f, int w)
{
    if (w < 0 || w >= f->ranks)
        return MF_ORDER_NONE;
    for (int i = 0; i < f->held[w]; i++)
        if (at((mf_flights *)f, w, i)->text)
            return at((mf_flights *)f, w, i)->id;
    return MF_ORDER_NONE;
}

void mf_flights_rearm(mf_flights *f, int w, uint64_t id)
{
    if (w < 0 || w >= f->ranks)
        return;
    for (int i = 0; i < f->held[w]; i++)
        if (at(f, w, i)->id == id) {
            at(f, w, 0)->asked = 0;
            return;
        }
}

bool mf_flights_pick_yield(mf_flights *f, const mf_order *order, double now, double min_run_s, bool split, int *w,
                           uint64_t *id)
{
    int level = split ? 2 : 1;
    mf_flight *best = NULL;
    uint64_t best_key = UINT64_MAX;
    for (int r = 0; r < f->ranks; r++) {
        if (f->held[r] == 0)
            continue;
        mf_flight *u = at(f, r, 0);
        if (!u->text || u->asked >= level || u->since > now - min_run_s)
            continue;
        uint64_t key = mf_order_key(order, u->id);
        if (!best || key < best_key) {
            best = u;
            best_key = key;
            *w = r;
        }
    }
    if (!best)
        return false;
    best->asked = level;
    *id = best->id;
    return true;
}
