/* Formats factorizations as GNU factor text, JSON lines or CSV. */
#include "mf_output.h"

#include <string.h>

int mf_format_parse(const char *name, mf_format *fmt)
{
    if (strcmp(name, "text") == 0)
        *fmt = MF_FORMAT_TEXT;
    else if (strcmp(name, "jsonl") == 0 || strcmp(name, "json") == 0)
        *fmt = MF_FORMAT_JSONL;
    else if (strcmp(name, "csv") == 0)
        *fmt = MF_FORMAT_CSV;
    else
        return -1;
    return 0;
}

const char *mf_format_name(mf_format fmt)
{
    return fmt == MF_FORMAT_JSONL ? "jsonl" : fmt == MF_FORMAT_CSV ? "csv" : "text";
}

void mf_output_header(mf_buf *out, mf_format fmt)
{
    if (fmt == MF_FORMAT_CSV)
        mf_buf_put_str(out, "number,factors,complete,cofactor\n");
}

/* Appends the factors separated by sep, each wrapped in quote (may be empty). */
static void put_factor_list(mf_buf *out, const mf_factored *f, const char *sep, const char *quote)
{
    for (size_t i = 0; i < f->nfactors; i++) {
        if (i)
            mf_buf_put_str(out, sep);
        mf_buf_put_str(out, quote);
        mf_value_put_dec(out, &f->factors[i]);
        mf_buf_put_str(out, quote);
    }
}

/* Writes the decimal digits of v at d (room for 20); returns the end. */
static unsigned char *dec_at(unsigned char *d, uint64_t v)
{
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    unsigned char tmp[20];
    int n = 20;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        tmp[--n] = (unsigned char)pairs[2 * r + 1];
        tmp[--n] = (unsigned char)pairs[2 * r];
    }
    if (v >= 10) {
        tmp[--n] = (unsigned char)pairs[2 * v + 1];
        tmp[--n] = (unsigned char)pairs[2 * v];
    } else {
        tmp[--n] = (unsigned char)('0' + v);
    }
    memcpy(d, tmp + n, (size_t)(20 - n));
    return d + (20 - n);
}

/* The text record of a complete factorization whose number fits 64 bits, written in one reservation
   (the common case: it is most of the work per number for small inputs). */
static void text_record_u64(mf_buf *out, const mf_factored *f)
{
    mf_buf_reserve(out, 21 * (f->nfactors + 1) + 2 + 20);
    unsigned char *d = dec_at(out->data + out->len, f->n.u);
    *d++ = ':';
    for (size_t i = 0; i < f->nfactors; i++) {
        *d++ = ' ';
        d = dec_at(d, f->factors[i].u);
    }
    *d++ = '\n';
    out->len = (size_t)(d - out->data);
}

void mf_output_record(mf_buf *out, mf_format fmt, const mf_factored *f)
{
    switch (fmt) {
    case MF_FORMAT_TEXT:
        if (f->complete && !f->n.is_big) { /* then every factor fits 64 bits too */
            text_record_u64(out, f);
            break;
        }
        mf_value_put_dec(out, &f->n);
        mf_buf_put_u8(out, ':');
        for (size_t i = 0; i < f->nfactors; i++) {
            mf_buf_put_u8(out, ' ');
            mf_value_put_dec(out, &f->factors[i]);
        }
        if (!f->complete) {
            mf_buf_put_str(out, " unfactored:");
            mf_value_put_dec(out, &f->cofactor);
        }
        mf_buf_put_u8(out, '\n');
        break;
    case MF_FORMAT_JSONL:
        mf_buf_put_str(out, "{\"number\":\"");
        mf_value_put_dec(out, &f->n);
        mf_buf_put_str(out, "\",\"factors\":[");
        put_factor_list(out, f, ",", "\"");
        mf_buf_put_str(out, f->complete ? "],\"complete\":true" : "],\"complete\":false,\"cofactor\":\"");
        if (!f->complete) {
            mf_value_put_dec(out, &f->cofactor);
            mf_buf_put_u8(out, '"');
        }
        mf_buf_put_str(out, "}\n");
        break;
    case MF_FORMAT_CSV:
        mf_value_put_dec(out, &f->n);
        mf_buf_put_u8(out, ',');
        put_factor_list(out, f, " ", "");
        mf_buf_put_str(out, f->complete ? ",true," : ",false,");
        if (!f->complete)
            mf_value_put_dec(out, &f->cofactor);
        mf_buf_put_u8(out, '\n');
        break;
    }
}
