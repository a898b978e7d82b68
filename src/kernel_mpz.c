/* GMP trial-division kernel: candidates grouped into 64-bit products, one big remainder per group. */
#include "mf_kernel_mpz.h"

uint64_t mf_mpz_find_divisor(mpz_srcptr z, uint64_t lo, uint64_t hi)
{
    uint64_t p = lo;
    while (p <= hi) {
        uint64_t m = p;
        unsigned k = 1;
        while (k < 8 && hi - p >= 2 * (uint64_t)k) {
            uint64_t q = p + 2 * (uint64_t)k;
            if (m > UINT64_MAX / q)
                break;
            m *= q;
            k++;
        }
        /* every candidate divides m, so z mod q == (z mod m) mod q */
        uint64_t r = (uint64_t)mpz_fdiv_ui(z, (unsigned long)m);
        for (unsigned j = 0; j < k; j++) {
            uint64_t q = p + 2 * (uint64_t)j;
            if (r % q == 0)
                return q;
        }
        if (hi - p < 2 * (uint64_t)k)
            break;
        p += 2 * (uint64_t)k;
    }
    return 0;
}

uint64_t mf_mpz_find_divisor_plain(mpz_srcptr z, uint64_t lo, uint64_t hi)
{
    for (uint64_t p = lo; p <= hi; p += 2) {
        if (mpz_divisible_ui_p(z, (unsigned long)p))
            return p;
        if (hi - p < 2)
            break;
    }
    return 0;
}
