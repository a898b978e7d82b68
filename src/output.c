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

void mf_output_record(mf_buf *out, mf_format fmt, const mf_factored *f)
{
    switch (fmt) {
    case MF_FORMAT_TEXT:
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
