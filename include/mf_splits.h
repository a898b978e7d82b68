/* The numbers being split into candidate ranges: ids of their range units, which number's ranges go out first
   (the one closest to the head of the output), and completion (pure: no MPI, no I/O). */
#ifndef MPIFACTOR_SPLITS_H
#define MPIFACTOR_SPLITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mf_order.h"
#include "mf_sched.h"
#include "mf_split.h"

typedef struct mf_splits_slot {
    bool live;
    uint32_t gen;        /* bumped on every reuse, so range ids of a finished number are refused */
    uint64_t seg;        /* the number's segment in the output order */
    size_t entry;        /* its index in the table of pending numbers while not complete */
    mf_split split;
} mf_splits_slot;

/* What choosing the next range needs of a pending number, kept dense so that a choice reads little memory. */
typedef struct mf_splits_entry {
    uint64_t key;        /* its segment's position (mf_order_key) */
    uint32_t slot;
    uint32_t outstanding; /* ranges issued and not reported */
    bool more;           /* candidates left to issue */
} mf_splits_entry;

typedef struct mf_splits {
    mf_splits_slot *slots;
    size_t nslots, cap;
    size_t live;         /* numbers with work or reports outstanding */
    mf_splits_entry *pending; /* live numbers not yet complete, in no order */
    size_t npending;
    uint64_t epoch;      /* the order's epoch the keys were read in */
    size_t *free_slots;  /* indices of slots free for reuse (a stack) */
    size_t nfree;
    uint64_t started;    /* numbers split so far */
    uint64_t wasted;     /* candidates of ranges dropped because they were no longer needed */
} mf_splits;

/* Initializes an empty table. Pair with mf_splits_free. */
void mf_splits_init(mf_splits *t);
/* Frees all storage. */
void mf_splits_free(mf_splits *t);
/* Starts splitting the partial factorization (see mf_split_start) of the number whose output goes to live
   segment seg of order. Returns the split (owned by the table): when it is already
   done, the caller takes its result and the slot is free again. Returns NULL when the partial is
   inconsistent or seg is not live. */
const mf_split *mf_splits_start(mf_splits *t, mf_order *order, uint64_t seg, const mf_factored *partial,
                                uint64_t p, uint64_t max_divisor);
/* Chooses the next range unit: of the split number earliest in `order` that can issue one (at most
   max_outstanding ranges each), as many candidates as `size` picks for what that number has left. Costs one step per number not yet complete. Sets *id (for the report), *lo, *hi and *cofactor (the
   number's current cofactor, owned by the table). Returns false when no range can go out. */
bool mf_splits_next_range(mf_splits *t, const mf_order *order, const mf_range_size *size, size_t max_outstanding,
                          uint64_t *id, uint64_t *lo, uint64_t *hi, mpz_srcptr *cofactor);
/* Records the report of range unit id (see mf_split_report). Returns 1 when this report completed its
   number: *done then points to the split (result final) and *seg to its segment; 0 when it did not; -1
   when the id or range is unknown. */
int mf_splits_report(mf_splits *t, uint64_t id, uint64_t lo, uint64_t hi, const uint64_t *divisors,
                     size_t ndivisors, uint64_t candidates, const mf_split **done, uint64_t *seg);

#endif
