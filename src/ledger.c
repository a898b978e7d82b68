/* Placement ledger: the prefix of the output that workers have confirmed written, for checkpoints. */
#include "mf_ledger.h"

#include <stdlib.h>
#include <string.h>

int mf_ledger_init(mf_ledger *l, int ranks)
{
    memset(l, 0, sizeof *l);
    l->ranks = ranks;
    l->sent = calloc((size_t)ranks, sizeof *l->sent);
    l->confirmed = calloc((size_t)ranks, sizeof *l->confirmed);
    if (!l->sent || !l->confirmed) {
        mf_ledger_free(l);
        return -1;
    }
    return 0;
}

/* Drops the confirmed placements at the head. */
static void pop_confirmed(mf_ledger *l)
{
    while (l->len > 0) {
        const mf_ledger_entry *e = &l->ring[l->head];
        if (l->confirmed[e->holder] < e->seq)
            break;
        l->head = (l->head + 1) % l->cap;
        l->len--;
    }
}

int mf_ledger_place(mf_ledger *l, int holder, uint64_t numbers, uint64_t bytes)
{
    if (holder < 1 || holder >= l->ranks)
        return -1;
    if (l->len == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        mf_ledger_entry *ring = malloc(cap * sizeof *ring);
        if (!ring)
            return -1;
        for (size_t i = 0; i < l->len; i++)
            ring[i] = l->ring[(l->head + i) % l->cap];
        free(l->ring);
        l->ring = ring;
        l->cap = cap;
        l->head = 0;
    }
    mf_ledger_entry *e = &l->ring[(l->head + l->len) % l->cap];
    e->holder = holder;
    e->seq = ++l->sent[holder];
    e->numbers_before = numbers;
    e->bytes_before = bytes;
    l->len++;
    return 0;
}

int mf_ledger_confirm(mf_ledger *l, int holder, uint64_t count)
{
    if (holder < 1 || holder >= l->ranks || count > l->sent[holder])
        return -1;
    if (count > l->confirmed[holder])
        l->confirmed[holder] = count;
    pop_confirmed(l);
    return 0;
}

void mf_ledger_confirm_all(mf_ledger *l)
{
    for (int r = 0; r < l->ranks; r++)
        l->confirmed[r] = l->sent[r];
    l->len = 0;
    l->head = 0;
}

void mf_ledger_durable(mf_ledger *l, uint64_t numbers, uint64_t bytes, uint64_t *done_numbers, uint64_t *done_bytes)
{
    pop_confirmed(l);
    if (l->len == 0) {
        *done_numbers = numbers;
        *done_bytes = bytes;
        return;
    }
    *done_numbers = l->ring[l->head].numbers_before;
    *done_bytes = l->ring[l->head].bytes_before;
}

void mf_ledger_free(mf_ledger *l)
{
    free(l->sent);
    free(l->confirmed);
    free(l->ring);
    memset(l, 0, sizeof *l);
}
