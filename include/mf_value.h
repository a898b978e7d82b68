/* A non-negative integer of any size (uint64_t fast case or GMP mpz), and a factorization result. */
#ifndef MPIFACTOR_VALUE_H
#define MPIFACTOR_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gmp.h>

#include "mf_buf.h"

typedef struct mf_value {
    bool is_big;   /* true: the value is in z and is >= 2^64; false: the value is u */
    uint64_t u;
    mpz_t z;       /* always initialized (GMP >= 6.2 does not allocate until used) */
} mf_value;

/* Initializes v to 0. Pair with mf_value_clear. */
void mf_value_init(mf_value *v);
/* Releases v's GMP storage. */
void mf_value_clear(mf_value *v);
/* Sets v to the 64-bit value u. */
static inline void mf_value_set_u64(mf_value *v, uint64_t u)
{
    v->is_big = false;
    v->u = u;
}
/* Sets v to z, choosing the 64-bit form when z fits. z must be >= 0. */
void mf_value_set_mpz(mf_value *v, mpz_srcptr z);
/* Copies src into dst. */
void mf_value_copy(mf_value *dst, const mf_value *src);
/* Stores v into z. */
void mf_value_get_mpz(mpz_ptr z, const mf_value *v);
/* Appends the decimal digits of v to out. */
void mf_value_put_dec(mf_buf *out, const mf_value *v);

/* The factorization of one number: the number, its prime factors in ascending order
   (with repetition) and, when trial division stopped early, the unfactored cofactor. */
typedef struct mf_factored {
    mf_value n;
    mf_value *factors;   /* factors[0..nfactors) */
    size_t nfactors;
    size_t cap;          /* initialized slots in factors */
    bool complete;       /* false: cofactor > 1 was left unfactored (--max-divisor or a stop) */
    mf_value cofactor;   /* meaningful when !complete */
} mf_factored;

/* Initializes an empty result. Pair with mf_factored_clear. */
void mf_factored_init(mf_factored *f);
/* Releases all storage of f. */
void mf_factored_clear(mf_factored *f);
/* Empties the factor list and marks f complete, keeping storage for reuse. */
void mf_factored_reset(mf_factored *f);
/* Makes room for one more factor slot (slow path of mf_factored_push). */
void mf_factored_grow(mf_factored *f);
/* Appends a new factor slot and returns it (value 0) for the caller to set. */
static inline mf_value *mf_factored_push(mf_factored *f)
{
    if (f->nfactors == f->cap)
        mf_factored_grow(f);
    mf_value *v = &f->factors[f->nfactors++];
    mf_value_set_u64(v, 0);
    return v;
}
/* Appends the 64-bit factor p. */
static inline void mf_factored_push_u64(mf_factored *f, uint64_t p)
{
    mf_value_set_u64(mf_factored_push(f), p);
}

#endif
