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

/* The number of decimal digits of v (1 for 0): from its bit length, then one comparison. */
static int dec_len(uint64_t v)
{
    static const uint64_t pow10[20] = {
        1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000ULL,
        100000000000ULL, 1000000000000ULL, 10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
        10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};
    if (v < 10)
        return 1;
    int t = ((64 - __builtin_clzll(v)) * 1233) >> 12; /* floor(bits log10 2): v has t or t + 1 digits */
    return t + 1 - (v < pow10[t]);
}

/* Writes the decimal digits of v at d (room for 20), two at a time from the end (32-bit arithmetic once
   they fit); returns the end. */
static unsigned char *dec_at(unsigned char *d, uint64_t v)
{
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    unsigned char *end = d + dec_len(v), *p = end;
    while (v > UINT32_MAX) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, pairs + 2 * r, 2);
    }
    uint32_t w = (uint32_t)v;
    while (w >= 100) {
        unsigned r = w % 100;
        w /= 100;
        p -= 2;
        memcpy(p, pairs + 2 * r, 2);
    }
    if (w >= 10) {
        p -= 2;
        memcpy(p, pairs + 2 * w, 2);
    } else {
        *--p = (unsigned char)('0' + w);
    }
    return end;
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
