/* Ranges of rank 0's split numbers cut into pieces at a node leader, and the pieces' reports merged. */
#include "mf_relay.h"

#include <stdlib.h>
#include <string.h>

#include "mf_buf.h"

void mf_relays_init(mf_relays *t)
{
    memset(t, 0, sizeof *t);
}

static void drop(mf_relay *r)
{
    for (size_t k = 0; k < r->npieces; k++)
        free(r->pieces[k].divisors);
    free(r->pieces);
    mpz_clear(r->cofactor);
}

void mf_relays_free(mf_relays *t)
{
    for (size_t i = 0; i < t->n; i++)
        drop(&t->v[i]);
    free(t->v);
    mf_relays_init(t);
}

int mf_relays_take(mf_relays *t, uint64_t id, mpz_srcptr c, uint64_t lo, uint64_t hi, uint32_t ways)
{
    if (lo > hi || lo % 2 == 0 || hi % 2 == 0 || ways == 0)
        return -1;
    t->v = mf_array_grow(t->v, &t->cap, t->n, sizeof *t->v, 4);
    uint64_t count = (hi - lo) / 2 + 1; /* odd candidates */
    mf_relay *r = &t->v[t->n];
    memset(r, 0, sizeof *r);
    r->id = id;
    r->lo = lo;
    r->hi = hi;
    r->npieces = (size_t)(count < ways ? count : ways);
    r->width = count / r->npieces;
    r->pieces = calloc(r->npieces, sizeof *r->pieces);
    if (!r->pieces)
        abort();
    r->first = t->next_piece;
    t->next_piece += r->npieces;
    mpz_init_set(r->cofactor, c);
    t->n++;
    t->taken++;
    return 0;
}

/* Bounds of piece k of r: the first count % npieces pieces have one candidate more than the others. */
static void bounds(const mf_relay *r, size_t k, uint64_t *lo, uint64_t *hi)
{
    uint64_t extra = ((r->hi - r->lo) / 2 + 1) % r->npieces, before = (uint64_t)k < extra ? (uint64_t)k : extra;
    *lo = r->lo + 2 * (r->width * (uint64_t)k + before);
    *hi = *lo + 2 * (r->width - ((uint64_t)k < extra ? 0 : 1));
}

/* Whether one of held[0..nheld) is a piece of r handed out already. */
static bool holds_piece_of(const mf_relay *r, const uint64_t *held, size_t nheld)
{
    for (size_t j = 0; j < nheld; j++)
        if (held[j] >= r->first && held[j] - r->first < r->issued)
            return true;
    return false;
}

bool mf_relays_next(mf_relays *t, const uint64_t *held, size_t nheld, uint64_t *piece, uint64_t *lo, uint64_t *hi,
                    mpz_srcptr *c)
{
    for (size_t i = 0; i < t->n; i++) {
        mf_relay *r = &t->v[i];
        if (r->issued == r->npieces || holds_piece_of(r, held, nheld))
            continue;
        *piece = r->first + r->issued;
        bounds(r, r->issued++, lo, hi);
        *c = r->cofactor;
        return true;
    }
    return false;
}

size_t mf_relays_waiting(const mf_relays *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += t->v[i].npieces - t->v[i].issued;
    return n;
}

/* Builds range i's merged report into *done (its pieces' divisors in order) and removes the range. */
static void finish(mf_relays *t, size_t i, mf_relay_done *done)
{
    mf_relay *r = &t->v[i];
    size_t total = 0;
    for (size_t j = 0; j < r->npieces; j++)
        total += r->pieces[j].ndivisors;
    *done = (mf_relay_done){.id = r->id, .lo = r->lo, .hi = r->hi, .ndivisors = total,
                            .candidates = r->candidates, .busy_s = r->busy_s};
    done->divisors = malloc((total ? total : 1) * sizeof *done->divisors);
    if (!done->divisors)
        abort();
    size_t at = 0;
    for (size_t j = 0; j < r->npieces; j++) {
        if (r->pieces[j].ndivisors > 0)
            memcpy(done->divisors + at, r->pieces[j].divisors, r->pieces[j].ndivisors * sizeof *done->divisors);
        at += r->pieces[j].ndivisors;
    }
    drop(r);
    memmove(r, r + 1, (t->n - i - 1) * sizeof *r);
    t->n--;
}

int mf_relays_report(mf_relays *t, uint64_t piece, uint64_t lo, uint64_t hi, const uint64_t *divisors,
                     size_t ndivisors, uint64_t candidates, double busy_s, mf_relay_done *done)
{
    size_t i = 0;
    while (i < t->n && !(piece >= t->v[i].first && piece - t->v[i].first < t->v[i].issued))
        i++;
    if (i == t->n)
        return -1;
    mf_relay *r = &t->v[i];
    size_t k = (size_t)(piece - r->first);
    uint64_t plo, phi;
    bounds(r, k, &plo, &phi);
    if (r->pieces[k].reported || lo != plo || hi != phi)
        return -1;
    for (size_t j = 0; j < ndivisors; j++)
        if (divisors[j] < lo || divisors[j] > hi || (j > 0 && divisors[j] < divisors[j - 1]))
            return -1;
    mf_relay_piece *p = &r->pieces[k];
    if (ndivisors > 0) {
        p->divisors = malloc(ndivisors * sizeof *p->divisors);
        if (!p->divisors)
            abort();
        memcpy(p->divisors, divisors, ndivisors * sizeof *divisors);
    }
    p->ndivisors = ndivisors;
    p->reported = true;
    r->candidates += candidates;
    r->busy_s += busy_s;
    if (++r->reported < r->npieces)
        return 0;
    finish(t, i, done);
    return 1;
}

int mf_relays_drop(mf_relays *t, uint64_t id, uint64_t *first, uint64_t *count, mf_relay_done *done)
{
    size_t i = 0;
    while (i < t->n && t->v[i].id != id)
        i++;
    if (i == t->n)
        return -1;
    mf_relay *r = &t->v[i];
    *first = r->first;
    *count = r->npieces;
    for (size_t k = r->issued; k < r->npieces; k++)
        r->pieces[k].reported = true; /* never goes out: nothing found, nothing tested */
    r->reported += r->npieces - r->issued;
    r->issued = r->npieces;
    if (r->reported < r->npieces)
        return 0;
    finish(t, i, done);
    return 1;
}
