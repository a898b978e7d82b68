/* One hard number split into ranges of candidate divisors for many ranks, and the merge of their reports (pure: no MPI, no clock).

   A number whose trial division ran past its budget arrives as a partial factorization: its prime factors
   below p, the cofactor C (odd, no prime factor below p) and the next odd candidate p. The odd candidates
   [p, limit], limit = min(isqrt(C), max_divisor), are handed out lazily as ranges in ascending order. A range
   [lo, hi] scanned on its own copy of C reports every divisor d it found in [lo, hi] (ascending, each
   repeated as often as it divided the copy; composite d are possible: their prime factors below lo are
   still in the copy). Reports are merged in ascending order of ranges: once every range below the frontier
   has reported, each reported d is divided out of the current cofactor C' as often as it divides (a composite
   d divides nothing once its prime factors are out), the limit shrinks to min(isqrt(C'), max_divisor), and
   the number is complete when the frontier passes the limit: C' is then 1 or a prime (or, when max_divisor
   stopped it, the unfactored cofactor). Reported ranges waiting for the frontier F are not idle knowledge: their
   divisors, divided out of a copy of C', bound every limit to come by the copy's root, so no range goes out
   past it; and as C' has no prime factor below F, when those divisors are below F^2 and the root is below F,
   they are primes, what is left is 1 or a prime, and the number is complete at once, without waiting for the
   ranges below them (a semiprime ends when its smaller prime is reported). Ranges issued beyond a shrunken
   limit, or still outstanding when the number completes, are dropped when their report arrives (the master asks
   their ranks to stop them early); the candidates they tested beyond the last one a single rank would have
   tested count as wasted. Candidates stop at 2^64 - 3 (so that hi + 2 never wraps): a cofactor with no prime factor below
   that and at least (2^64 - 1)^2 is left unfactored, like mf_job_run does. */
#ifndef MPIFACTOR_SPLIT_H
#define MPIFACTOR_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gmp.h>

#include "mf_value.h"

typedef struct mf_split_range {
    uint64_t lo, hi;         /* odd candidates lo..hi, inclusive */
    bool reported;
    uint64_t *divisors;      /* reported divisors, ascending with repetition (owned) */
    size_t ndivisors;
    uint64_t candidates;     /* candidates the report tested (counted as wasted if the range is dropped later) */
} mf_split_range;

typedef struct mf_split {
    mf_factored result;      /* n, the prime factors merged so far; complete/cofactor once done */
    mpz_t cofactor;          /* C': the part of n not yet factored */
    uint64_t max_divisor;    /* 0: unbounded */
    uint64_t frontier;       /* every odd candidate below it is merged */
    uint64_t limit;          /* last odd candidate that still matters (min(isqrt(C'), max_divisor)) */
    uint64_t next_lo;        /* first candidate of the next range to issue */
    uint64_t issue_cap;      /* no range goes out past it: the limit the reported, unmerged divisors promise */
    uint64_t needed_until;   /* once done: the last candidate one rank would have tested (what lies beyond, in
                                ranges dropped unmerged, is wasted) */
    mf_split_range *ranges;  /* issued, not yet merged or dropped, ascending by lo */
    size_t nranges, cap;
    bool done;
    uint64_t candidates;     /* candidates reported by all ranges (useful and wasted) */
    uint64_t wasted;         /* candidates of ranges dropped as no longer needed */
} mf_split;

/* Initializes an empty split (no number). Pair with mf_split_free. */
void mf_split_init(mf_split *s);
/* Releases all storage. */
void mf_split_free(mf_split *s);
/* Starts splitting the number in `partial` (partial->n, the factors found so far in ascending order,
   partial->cofactor = C >= 2 with no prime factor below p) from odd candidate p >= 3 on, bounded by
   max_divisor (0: unbounded). Counters are reset. If p already passes the limit the split is done at once.
   Returns 0, or -1 when the arguments are inconsistent (p even or < 3, C < 2). */
int mf_split_start(mf_split *s, const mf_factored *partial, uint64_t p, uint64_t max_divisor);
/* Issues the next range of at most `width` odd candidates (width >= 1): *lo..*hi, ascending, never past the
   current limit. Returns false when the number is done, every candidate up to the limit was issued, or
   max_outstanding ranges are already issued and not yet reported (0: no cap). */
bool mf_split_next_range(mf_split *s, uint64_t width, size_t max_outstanding, uint64_t *lo, uint64_t *hi);
/* Records the report of range [lo, hi] (exactly as issued): its divisors (ascending, with repetition) and the
   candidates it tested, then merges every range now contiguous with the frontier. A report for a range no
   longer needed (done, or beyond the limit) is dropped and its candidates counted as wasted.
   Returns 0, or -1 (nothing changed) when [lo, hi] is not an outstanding range of this split or the divisors
   are not ascending within [lo, hi]. */
int mf_split_report(mf_split *s, uint64_t lo, uint64_t hi, const uint64_t *divisors, size_t ndivisors,
                    uint64_t candidates);
/* Odd candidates not yet issued (0 once done or all are issued up to the current limit). */
uint64_t mf_split_left(const mf_split *s);
/* Ranges issued and not yet reported (the caller keeps the split until this is 0, or drops reports itself). */
size_t mf_split_outstanding(const mf_split *s);
/* True once the factorization in s->result is final. */
static inline bool mf_split_done(const mf_split *s) { return s->done; }

#endif
