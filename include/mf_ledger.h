/* Placement ledger (pure: no MPI, no I/O): with --parallel-io and --checkpoint, which prefix of the output is
   known to be written, when workers write their held results themselves and confirm them later. */
#ifndef MPIFACTOR_LEDGER_H
#define MPIFACTOR_LEDGER_H

#include <stddef.h>
#include <stdint.h>

/* One placement not yet confirmed: rank holder's seq-th placement, and the totals before it. */
typedef struct mf_ledger_entry {
    int holder;
    uint64_t seq;
    uint64_t numbers_before, bytes_before;
} mf_ledger_entry;

typedef struct mf_ledger {
    int ranks;
    uint64_t *sent;           /* placements sent to each rank */
    uint64_t *confirmed;      /* placements each rank confirmed written (and synced) */
    mf_ledger_entry *ring;    /* unconfirmed placements in output order */
    size_t head, len, cap;
} mf_ledger;

/* Starts an empty ledger for ranks ranks. Returns 0, or -1 when out of memory. */
int mf_ledger_init(mf_ledger *l, int ranks);
/* Records that rank holder (1 .. ranks-1) is told to write the next placement, which follows numbers
   numbers and bytes bytes of output. Returns 0, or -1 when out of memory. */
int mf_ledger_place(mf_ledger *l, int holder, uint64_t numbers, uint64_t bytes);
/* Records that rank holder has written (and synced) its first count placements. Returns 0, or -1 when it
   confirms more than it was sent. */
int mf_ledger_confirm(mf_ledger *l, int holder, uint64_t count);
/* Records that every rank has written every placement sent to it (all workers stopped after writing). */
void mf_ledger_confirm_all(mf_ledger *l);
/* The durable prefix: with numbers and bytes the totals placed so far, sets *done_numbers and *done_bytes to
   the totals before the first placement not yet confirmed (numbers and bytes when all are). */
void mf_ledger_durable(mf_ledger *l, uint64_t numbers, uint64_t bytes, uint64_t *done_numbers, uint64_t *done_bytes);
/* Frees the ledger's storage. */
void mf_ledger_free(mf_ledger *l);

#endif
