/* mf_value (u64-or-mpz integer) and mf_factored (a number with its factor list). */
#include "mf_value.h"

#include <stdlib.h>
#include <string.h>

void mf_value_init(mf_value *v)
{
    v->is_big = false;
    v->u = 0;
    mpz_init(v->z);
}

void mf_value_clear(mf_value *v)
{
    mpz_clear(v->z);
}

void mf_value_set_mpz(mf_value *v, mpz_srcptr z)
{
    if (mpz_sizeinbase(z, 2) <= 64) {
        /* unsigned long is 64 bits on the LP64 targets we build for */
        v->is_big = false;
        v->u = (uint64_t)mpz_get_ui(z);
    } else {
        v->is_big = true;
        mpz_set(v->z, z);
    }
}

void mf_value_copy(mf_value *dst, const mf_value *src)
{
    if (src->is_big)
        mf_value_set_mpz(dst, src->z);
    else
        mf_value_set_u64(dst, src->u);
}

void mf_value_get_mpz(mpz_ptr z, const mf_value *v)
{
    if (v->is_big)
        mpz_set(z, v->z);
    else
        mpz_set_ui(z, (unsigned long)v->u);
}

void mf_value_put_dec(mf_buf *out, const mf_value *v)
{
    if (!v->is_big) {
        mf_buf_put_dec(out, v->u);
        return;
    }
    size_t n = mpz_sizeinbase(v->z, 10) + 2;
    mf_buf_reserve(out, n);
    mpz_get_str((char *)out->data + out->len, 10, v->z);
    out->len += strlen((char *)out->data + out->len);
}

void mf_factored_init(mf_factored *f)
{
    memset(f, 0, sizeof *f);
    mf_value_init(&f->n);
    mf_value_init(&f->cofactor);
    f->complete = true;
}

void mf_factored_clear(mf_factored *f)
{
    for (size_t i = 0; i < f->cap; i++)
        mf_value_clear(&f->factors[i]);
    free(f->factors);
    mf_value_clear(&f->n);
    mf_value_clear(&f->cofactor);
    memset(f, 0, sizeof *f);
}

void mf_factored_reset(mf_factored *f)
{
    f->nfactors = 0;
    f->complete = true;
    mf_value_set_u64(&f->cofactor, 1);
}

void mf_factored_grow(mf_factored *f)
{
    size_t cap = f->cap ? 2 * f->cap : 16;
    mf_value *p = realloc(f->factors, cap * sizeof *p);
    if (!p)
        abort();
    for (size_t i = f->cap; i < cap; i++)
        mf_value_init(&p[i]);
    f->factors = p;
    f->cap = cap;
}
