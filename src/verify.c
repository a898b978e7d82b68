/* --verify: multiply the factors back and test each for primality with GMP. */
#include "mf_verify.h"

#include <stdio.h>
#include <stdlib.h>

#include "mf_buf.h"

/* Formats "verification failed for N: why" into err. */
static int fail(const mf_factored *f, const char *why, char *err, size_t errlen)
{
    mf_buf b;
    mf_buf_init(&b);
    mf_value_put_dec(&b, &f->n);
    mf_buf_put_u8(&b, '\0');
    snprintf(err, errlen, "verification failed for %.200s: %s", (const char *)b.data, why);
    mf_buf_free(&b);
    return -1;
}

int mf_verify(const mf_factored *f, char *err, size_t errlen)
{
    mpz_t product, factor, prev, n;
    mpz_inits(product, factor, prev, n, NULL);
    mf_value_get_mpz(n, &f->n);
    mpz_set_ui(product, 1);
    mpz_set_ui(prev, 0);
    const char *why = NULL;
    for (size_t i = 0; i < f->nfactors && !why; i++) {
        mf_value_get_mpz(factor, &f->factors[i]);
        if (mpz_cmp(factor, prev) < 0)
            why = "factors are not in ascending order";
        else if (mpz_probab_prime_p(factor, 25) == 0)
            why = "a factor is not prime";
        mpz_mul(product, product, factor);
        mpz_set(prev, factor);
    }
    if (!why && !f->complete) {
        mf_value_get_mpz(factor, &f->cofactor);
        if (mpz_cmp_ui(factor, 1) <= 0)
            why = "an incomplete result has no cofactor";
        mpz_mul(product, product, factor);
    }
    if (!why && mpz_cmp_ui(n, 1) <= 0 && f->nfactors > 0)
        why = "0 and 1 have no prime factors";
    else if (!why && mpz_cmp_ui(n, 1) > 0 && mpz_cmp(product, n) != 0)
        why = "the product of the factors differs from the number";
    mpz_clears(product, factor, prev, n, NULL);
    return why ? fail(f, why, err, errlen) : 0;
}
