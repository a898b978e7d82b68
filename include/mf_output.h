/* Output writers: GNU factor text, JSON lines and CSV records for one factorization. */
#ifndef MPIFACTOR_OUTPUT_H
#define MPIFACTOR_OUTPUT_H

#include "mf_buf.h"
#include "mf_value.h"

typedef enum mf_format { MF_FORMAT_TEXT = 0, MF_FORMAT_JSONL, MF_FORMAT_CSV } mf_format;

/* Parses "text", "jsonl" or "csv"; returns 0, or -1 for an unknown name. */
int mf_format_parse(const char *name, mf_format *fmt);
/* Name of a format. */
const char *mf_format_name(mf_format fmt);
/* Appends the header that starts a fresh output file (CSV only; nothing for the others). */
void mf_output_header(mf_buf *out, mf_format fmt);
/* Appends the record for f:
   text:  "N: p1 p2 ...\n", and " unfactored:C" before the newline when incomplete;
   jsonl: {"number":"N","factors":["p1",...],"complete":true} (+ "cofactor":"C" when incomplete);
   csv:   N,p1 p2 ...,true|false,C   (C empty when complete). */
void mf_output_record(mf_buf *out, mf_format fmt, const mf_factored *f);

#endif
