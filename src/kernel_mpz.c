/* Trial-division kernel for numbers of any size: the 128-bit kernel's vector limb path up to 512 bits,
   else GMP with candidates grouped into 64-bit products, one big remainder per group. */
#include "mf_kernel_mpz.h"

#include "mf_kernel_u128.h"

uint64_t mf_mpz_find_divisor(mpz_srcptr z, uint64_t lo, uint64_t hi)
{
    if (mpz_sizeinbase(z, 2) <= 32 * MF_U128_MAX_LIMBS) {
        uint32_t limbs[MF_U128_MAX_LIMBS];
        size_t count = 0;
        mpz_export(limbs, &count, 1, sizeof limbs[0], 0, 0, z);
        uint64_t d;
        if (count > 0 && mf_u128_find_divisor_limbs(&d, limbs, (int)count, lo, hi) == 0)
            return d;
    }
    return mf_mpz_find_divisor_gmp(z, lo, hi);
}

uint64_t mf_mpz_find_divisor_gmp(mpz_srcptr z, uint64_t lo, uint64_t hi)
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
