/* Ranges of rank 0's split numbers cut again at a node leader: each range taken from rank 0 goes out in pieces
   to the node's ranks, and their reports merge into the one report rank 0 expects for the range (pure: no MPI).
   A piece [lo, hi] is scanned on its own copy of the cofactor, like a range (mf_split.h): the merged report lists
   every piece's divisors in ascending order of pieces, which is ascending within the range, and rank 0 divides
   each out as often as it divides. A divisor found in one piece does not stop the others: rank 0 drops what is
   no longer needed, as for its own ranges, and once its number is complete tells the leader to stop the range
   (mf_relays_drop). */
#ifndef MPIFACTOR_RELAY_H
#define MPIFACTOR_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gmp.h>

typedef struct mf_relay_piece {
    bool reported;
    uint64_t *divisors;      /* its report's divisors, ascending with repetition (owned) */
    size_t ndivisors;
} mf_relay_piece;

typedef struct mf_relay {
    uint64_t id;             /* rank 0's id of the range */
    uint64_t lo, hi;         /* the range: odd candidates lo..hi */
    uint64_t width;          /* odd candidates a piece, the remainder spread one each over the first pieces */
    uint64_t first;          /* the piece id of piece 0; piece k is first + k */
    mpz_t cofactor;
    mf_relay_piece *pieces;
    size_t npieces, issued, reported;
    uint64_t candidates;     /* summed over the reports so far */
    double busy_s;
} mf_relay;

typedef struct mf_relays {
    mf_relay *v;             /* in the order taken; pieces go out from the oldest first */
    size_t n, cap;
    uint64_t next_piece;     /* the piece id the next range's piece 0 gets */
    uint64_t taken;          /* ranges taken so far */
} mf_relays;

/* The merged report of a range whose every piece reported (mf_relays_report). */
typedef struct mf_relay_done {
    uint64_t id, lo, hi;
    uint64_t *divisors;      /* ascending with repetition (owned by the caller: free it) */
    size_t ndivisors;
    uint64_t candidates;
    double busy_s;
} mf_relay_done;

/* Initializes an empty table. Pair with mf_relays_free. */
void mf_relays_init(mf_relays *t);
/* Frees every range held and its storage. */
void mf_relays_free(mf_relays *t);
/* Takes range id of odd candidates lo..hi (lo <= hi, both odd) of cofactor c, to go out as `ways` pieces of
   sizes within one candidate (fewer when it has fewer candidates; ways >= 1). Returns 0, or -1 when the range is not one. */
int mf_relays_take(mf_relays *t, uint64_t id, mpz_srcptr c, uint64_t lo, uint64_t hi, uint32_t ways);
/* The next piece to hand out to a rank that holds the pieces held[0..nheld) (ids of pieces of other tables or
   none are ignored), of the oldest range with pieces left of which that rank holds none: *piece (its id, below
   2^62), *lo..*hi and *c (the range's cofactor, owned by the table). A range's report waits for its slowest
   piece, so two pieces of one range queued on one rank would make it twice as slow as the others. Returns false
   when every piece is out or held back so. */
bool mf_relays_next(mf_relays *t, const uint64_t *held, size_t nheld, uint64_t *piece, uint64_t *lo, uint64_t *hi,
                    mpz_srcptr *c);
/* Pieces not yet handed out, over all ranges held. */
size_t mf_relays_waiting(const mf_relays *t);
/* Records the report of piece `piece` (exactly as handed out): its divisors, ascending within [lo, hi], the
   candidates it tested and its compute seconds. Returns 1 when it was the range's last report: *done then holds
   the merged report and the range is dropped from the table; 0 when reports are still missing; -1 (nothing
   changed) for an unknown, unissued or already reported piece, other bounds, or divisors out of order. */
int mf_relays_report(mf_relays *t, uint64_t piece, uint64_t lo, uint64_t hi, const uint64_t *divisors,
                     size_t ndivisors, uint64_t candidates, double busy_s, mf_relay_done *done);

/* Rank 0's range id is no longer needed (its number is complete): its pieces not handed out yet never go out
   (reported, with nothing found or tested). Sets *first and *count to the range's piece ids, for the caller to
   stop the pieces still out. Returns 1 when that was the last piece missing: *done then holds the merged report
   (rank 0 still expects one) and the range leaves the table; 0 when pieces are still out; -1 when range id is
   not held (its report went already). */
int mf_relays_drop(mf_relays *t, uint64_t id, uint64_t *first, uint64_t *count, mf_relay_done *done);

#endif
