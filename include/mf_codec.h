/* Byte encodings of work units, results and rank statistics (pure: no MPI, no I/O).

   value  := u8 kind (0: u64, 1: big) then u64 little-endian, or u32 length + big-endian magnitude
   unit   := u8 1, u64 id, u32 file, u64 line, u8 flags (1: in_comment, 2: hold output), slice bytes (the rest)
           | u8 2, u64 id, value cofactor, u64 lo, u64 hi
           | u8 3, u64 id, u32 file, u64 line, u8 flags, u64 offset, u64 len, u64 check (mf_slice_check)
   result := u8 1, u64 id, u64 out_len, out bytes, u32 file, u64 bytes, u8 relative, u64 newlines, u64 numbers,
             invalid, verify_failures, unfactored, candidates, busy_ns,
             u64 msgs_len, msgs, u8 escalated [factored, u64 next_p, candidates, busy_ns]
             (relative 1: the unit's lines were counted from 1, newlines is how many its bytes hold, and msgs is
             records: u64 line (0: none), u32 len, bytes: an invalid token on that line, or a whole message)
           | u8 3, u64 id, u64 out_len, i32 holder, then as kind 1 from u32 file (the output is held by rank holder)
           | u8 2, u64 id, u64 lo, hi, candidates, busy_ns, u32 n, n x u64 divisor
   factored := value n, u8 complete, u32 nfactors, nfactors x value, [value cofactor if !complete]
   stats  := i32 rank, 64 bytes host, u64 busy_ns, u64 idle_ns, u64 numbers, units, ranges, candidates,
             bytes_sent, bytes_received, cpu_ns, busy_cpu_ns, i32 parent, u64 units_served, service_ns,
             ranges_relayed, numbers_split, wasted_candidates, ranges_stopped
             (a statistics message holds one or more records back to back: a leader's, its kids' and its own) */
#ifndef MPIFACTOR_CODEC_H
#define MPIFACTOR_CODEC_H

#include <stdint.h>

#include "mf_buf.h"
#include "mf_stats.h"
#include "mf_value.h"

/* Slow paths of the two functions below, for values of 2^64 or more (kind byte already handled). */
void mf_codec_put_big(mf_buf *b, const mf_value *v);
int mf_codec_get_big(mf_buf *b, mf_value *v);

/* Appends v. */
static inline void mf_codec_put_value(mf_buf *b, const mf_value *v)
{
    if (v->is_big) {
        mf_codec_put_big(b, v);
        return;
    }
    mf_buf_reserve(b, 9);
    unsigned char *d = b->data + b->len;
    d[0] = 0;
    for (int i = 0; i < 8; i++)
        d[1 + i] = (unsigned char)(v->u >> (8 * i));
    b->len += 9;
}

/* Reads a value into v; returns 0, or -1 on malformed input. */
static inline int mf_codec_get_value(mf_buf *b, mf_value *v)
{
    unsigned kind = mf_buf_get_u8(b);
    if (kind == 0) {
        mf_value_set_u64(v, mf_buf_get_u64(b));
        return b->failed ? -1 : 0;
    }
    return kind == 1 ? mf_codec_get_big(b, v) : -1;
}

typedef enum mf_unit_kind {
    MF_UNIT_TEXT = 1,    /* a slice of input text: tokenize, factor, format */
    MF_UNIT_RANGE = 2,   /* candidates lo..hi of one split number's cofactor */
    MF_UNIT_TEXT_REF = 3 /* a text unit by reference: the worker reads the slice itself (--parallel-io) */
} mf_unit_kind;

/* A decoded work unit. For text units `text` points into the decoded buffer (valid while it lives). */
typedef struct mf_unit {
    mf_unit_kind kind;
    uint64_t id;
    uint32_t file;              /* text: input index */
    uint64_t line;              /* text: line of the first byte */
    int in_comment;             /* text: first byte inside a comment */
    int hold_output;            /* text: the worker keeps the formatted output until told where to write it */
    const unsigned char *text;  /* text: the slice */
    size_t len;
    uint64_t lo, hi;            /* range: odd candidates */
} mf_unit;

/* Starts a text unit in the empty buffer b; the caller then appends the slice's bytes. */
void mf_text_unit_begin(mf_buf *b, uint64_t id, uint32_t file, uint64_t line, int in_comment);
/* Rewrites the header of the text unit in b (as started by mf_text_unit_begin) with these values. */
void mf_text_unit_set_header(mf_buf *b, uint64_t id, uint32_t file, uint64_t line, int in_comment);
/* Marks the text unit in b (kind 1) so that its worker holds the output (mf_text_result_detach). */
void mf_text_unit_set_hold(mf_buf *b);
/* A decoded unit by reference (kind 3). */
typedef struct mf_text_ref {
    uint64_t id;
    uint32_t file;
    uint64_t line;
    int in_comment;     /* the slice's first byte lies inside a comment */
    int hold_output;    /* the worker keeps the output (mf_text_unit_set_hold) */
    uint64_t offset, len, check;
} mf_text_ref;
/* Writes the unit by reference r into b (reset first). */
void mf_text_ref_put(mf_buf *b, const mf_text_ref *r);
/* Decodes the unit by reference in b into r. Returns 0, or -1 when b holds no well-formed one. */
int mf_text_ref_read(const mf_buf *b, mf_text_ref *r);
/* Starts the text unit that r refers to in b (reset first); the caller appends the slice's r->len bytes. */
void mf_text_ref_begin(mf_buf *b, const mf_text_ref *r);
/* The check of a slice of len bytes read by reference: an XXH3 hash of its length and of its first and last
   bytes (head, head_len bytes; tail, tail_len bytes; both MF_SLICE_END_BYTES, or the whole slice when it is
   shorter). A spot check that tells a rank reading other bytes than rank 0 did (files not shared, changed). */
uint64_t mf_slice_check(uint64_t len, const void *head, size_t head_len, const void *tail, size_t tail_len);
/* Writes a range unit for cofactor c into b (reset first). */
void mf_range_unit_put(mf_buf *b, uint64_t id, const mf_value *c, uint64_t lo, uint64_t hi);
/* Rewrites the id of the encoded unit or result in b (both begin u8 kind, u64 id). Returns 0, or -1 when b is
   too short. */
int mf_codec_set_id(mf_buf *b, uint64_t id);
/* Decodes the unit in b (from its start) into u, a range unit's cofactor into c. Returns 0 or -1. */
int mf_unit_read(mf_buf *b, mf_unit *u, mf_value *c);
/* The kind and id of an encoded unit, read without decoding the rest. Returns 0, or -1 when b is too short. */
int mf_unit_peek(const mf_buf *b, mf_unit_kind *kind, uint64_t *id);

/* The figures of a finished unit, text or range. */
typedef struct mf_result_info {
    mf_unit_kind kind;
    uint64_t id;
    uint32_t file;              /* text: the unit's input index */
    uint64_t bytes;             /* text: input bytes worked through (the unit less its handed-back rest) */
    int relative;               /* text: lines counted from the unit's first (msgs are records: mf_msg_render) */
    uint64_t newlines;          /* text, relative: newlines in those bytes */
    uint64_t numbers;           /* text: numbers finished (written in out) */
    uint64_t invalid;           /* text: invalid tokens (messages in msgs) */
    uint64_t verify_failures;   /* text: --verify failures (messages in msgs) */
    uint64_t unfactored;        /* text: numbers written with a cofactor left unfactored (--max-divisor) */
    uint64_t candidates;
    double busy_s;
    const unsigned char *out;   /* text: formatted records (NULL when held) */
    size_t out_len;
    int held;                   /* text: rank holder keeps the out_len bytes of output (--parallel-io) */
    int holder;
    const unsigned char *msgs;  /* text: lines for stderr (relative: records) */
    size_t msgs_len;
    size_t tail;                /* text: offset of the escalated flag (cut there, then append a zero byte,
                                   to drop the partial number from the message) */
    int escalated;              /* text: a number ran past its budget (partial factorization follows) */
    uint64_t next_p;            /*   its next candidate */
    uint64_t number_candidates; /*   candidates it took so far, and its compute seconds */
    double number_busy_s;
    uint64_t lo, hi;            /* range: the candidates scanned */
    size_t ndivisors;           /* range: divisors found (read them with mf_result_divisor) */
    const unsigned char *divisors;
} mf_result_info;

/* Starts a text result in the empty buffer b; the caller appends the formatted records to b (the
   result's output), then calls mf_text_result_end. */
void mf_text_result_begin(mf_buf *b, uint64_t id);
/* Finishes a text result: msgs for stderr (relative: records of mf_msg_put_*, and newlines the count in the
   unit's bytes), counters (unfactored: records written incomplete), and optionally the escalated number
   (partial: n, its factors so far and cofactor; NULL when none). A unit's unstarted rest never travels in its
   result: it goes back on its own beforehand (MF_TAG_REST). */
void mf_text_result_end(mf_buf *b, uint32_t file, uint64_t bytes, int relative, uint64_t newlines, const mf_buf *msgs,
                        uint64_t numbers, uint64_t invalid,
                        uint64_t verify_failures, uint64_t unfactored, uint64_t candidates, double busy_s,
                        const mf_factored *partial, uint64_t next_p, uint64_t number_candidates,
                        double number_busy_s);
/* Message records of a unit whose lines are relative (its slice was cut by byte offset, so its first line's
   number is known only when results are merged in order): an invalid token on relative line `line` (>= 1), or
   a whole message text. */
void mf_msg_put_invalid(mf_buf *msgs, uint64_t line, const unsigned char *tok, size_t len);
void mf_msg_put_text(mf_buf *msgs, const char *text);
/* Reads the next message record of view (a buffer over records, from view->pos): its line (0: a whole message)
   and its bytes (pointing into view). Returns 1, 0 at the end, or -1 for a malformed record. */
int mf_msg_next(mf_buf *view, uint64_t *line, const unsigned char **text, uint32_t *len);
/* Renders records (msgs, len) as stderr lines into out: invalid tokens as "mpifactor: NAME:LINE: ..." with
   LINE = first_line + line - 1. Returns 0, or -1 for malformed records. */
int mf_msg_render(const unsigned char *msgs, size_t len, const char *name, uint64_t first_line, mf_buf *out);

/* Moves the output records of the finished text result in b (kind 1) into out (reset first) and rewrites b as
   a result whose output rank holder keeps (kind 3). */
void mf_text_result_detach(mf_buf *b, int holder, mf_buf *out);
/* Rewrites the finished text result in b (kind 1, no records) as a result whose out_len bytes of output rank
   holder keeps (kind 3): a node leader's slice, whose output its node's ranks hold in pieces. */
void mf_text_result_hold_as(mf_buf *b, int holder, uint64_t out_len);
/* True when the encoded result in b is a text result whose output a worker holds. */
int mf_result_is_held(const mf_buf *b);
/* Writes a range result into b (reset first): the divisors found, ascending with repetition. */
void mf_range_result_put(mf_buf *b, uint64_t id, uint64_t lo, uint64_t hi, const mf_value *divisors, size_t ndivisors,
                         uint64_t candidates, double busy_s);
/* The same from plain divisors (a node leader's merge of its pieces' reports). */
void mf_range_result_put_u64(mf_buf *b, uint64_t id, uint64_t lo, uint64_t hi, const uint64_t *divisors,
                             size_t ndivisors, uint64_t candidates, double busy_s);
/* Decodes the result in b into r (pointers into b) and, for an escalated number, its partial
   factorization into partial (NULL: such a result is refused). Returns 0 or -1 on malformed input. */
int mf_result_read(mf_buf *b, mf_result_info *r, mf_factored *partial);
/* Divisor i (< r->ndivisors) of a decoded range result. */
uint64_t mf_result_divisor(const mf_result_info *r, size_t i);

/* A node leader passes a number its node ran past the budget up to rank 0: `token` (the leader's own name for
   it, sent back with the result), its partial factorization, next candidate, and the candidates and compute
   seconds it took so far. Put resets b; get reads from b's start into partial and returns 0 or -1. */
void mf_split_request_put(mf_buf *b, uint64_t token, const mf_factored *partial, uint64_t next_p,
                          uint64_t candidates, double busy_s);
int mf_split_request_get(mf_buf *b, uint64_t *token, mf_factored *partial, uint64_t *next_p, uint64_t *candidates,
                         double *busy_s);
/* Rank 0's answer: the number's final factorization f under the leader's token. */
void mf_split_done_put(mf_buf *b, uint64_t token, const mf_factored *f);
int mf_split_done_get(mf_buf *b, uint64_t *token, mf_factored *f);
/* Appends one factorization / reads it back (0 or -1); used for escalated numbers. */
void mf_factored_put(mf_buf *b, const mf_factored *f);
int mf_factored_get(mf_buf *b, mf_factored *f);

/* Appends / reads rank statistics (read returns 0 or -1). */
void mf_codec_put_stats(mf_buf *b, const mf_rank_stats *s);
int mf_codec_get_stats(mf_buf *b, mf_rank_stats *s);

#endif
