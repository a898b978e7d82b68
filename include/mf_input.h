/* Streaming tokenizer: decimal integers from files or stdin, with file:line errors for bad tokens. */
#ifndef MPIFACTOR_INPUT_H
#define MPIFACTOR_INPUT_H

#include <stdint.h>
#include <stdio.h>

#include "mf_buf.h"
#include "mf_value.h"

#define MF_INPUT_INTERRUPTED (-2)

/* What a regular input file looked like when the run began, to tell a file changed under the run from a
   read that fails for another reason. */
typedef struct mf_file_seen {
    int known;                 /* a regular file was seen (0: not a regular file, or not there) */
    uint64_t dev, ino, size;
    int64_t mtime_s, mtime_ns;
} mf_file_seen;

/* Records what the regular file at path is now (known 0 when it is none or cannot be seen). */
void mf_file_seen_path(mf_file_seen *s, const char *path);
/* Whether the file open on fd is no longer the one recorded in *s (another file, another size or modification
   time); when it is not, writes "NAME changed during the run (N bytes, now M)" to err (size errlen). False when
   nothing was recorded or fd cannot be seen. */
int mf_file_changed(const mf_file_seen *s, int fd, const char *name, char *err, size_t errlen);

typedef struct mf_input {
    const char *const *paths;  /* input paths ("-" is stdin); not owned */
    int npaths;
    int current;               /* index of the open path, npaths when finished */
    FILE *fp;
    const char *name;          /* display name of the open input */
    uint64_t line;             /* line number in the open input (1-based) */
    unsigned char *chunk;      /* read buffer */
    size_t chunk_len, chunk_pos;
    int in_comment;
    mf_buf token;
    uint64_t token_line;
    uint64_t bytes_total;      /* sum of regular-file sizes; 0 when unknown (stdin, pipes) */
    int all_regular;           /* every input is a regular file (slices can go by reference) */
    uint64_t bytes_read;
    uint64_t file_read;        /* bytes read from the open input */
    uint64_t valid;            /* valid numbers returned so far */
    uint64_t invalid;          /* invalid tokens reported so far */
    mf_file_seen *seen;        /* per input, what it was when opened (compared when a read ends early) */
    uint64_t tokens;           /* tokens (valid or not) in the slices cut so far (mf_input_slice), when count_tokens */
    int count_tokens;          /* mf_input_slice counts tokens (1 after mf_input_open; 0 spares a pass over the
                                  bytes where nothing reads the count) */
    int tok_gap;               /* the byte before the next one ends any token (start of a file, space, comment) */
    uint64_t cut_read;         /* bytes mf_input_cut read to find its cuts (about a block per slice) */
    uint64_t win_at;           /* mf_input_cut: chunk holds win_len bytes of the open input from offset win_at */
    size_t win_len;
    int fp_stale;              /* ... and fp is not at file_read (seek before reading on) */
    int windowed;              /* mf_input_cut stops at window_end of the open input (mf_input_window) */
    uint64_t window_end;
    int counted_ahead;         /* tokens_ahead holds the tokens of the whole input (mf_input_count_ahead) */
    uint64_t tokens_ahead;
    FILE *err;                 /* where invalid tokens are reported (stderr) */
    mpz_t scratch;
} mf_input;

/* Opens the inputs (all are checked up front: a missing or unreadable file is an error before any
   work). paths/npaths: the file list, "-" or an empty list meaning stdin. On failure writes a message
   naming the file to errmsg (size errlen) and returns -1; else 0. err receives bad-token reports. */
int mf_input_open(mf_input *in, const char *const *paths, int npaths, FILE *err, char *errmsg, size_t errlen);
/* Reads the next valid number into v. Invalid tokens are reported to in->err as
   "mpifactor: FILE:LINE: 'TOKEN' is not a valid non-negative integer" and skipped.
   Returns 1 for a number, 0 at the end of all inputs, -1 on a read error (message in errmsg; "FILE changed
   during the run (N bytes, now M)" when a regular file ends at another size than it had when opened, or a
   read fails after its size or modification time changed), or
   MF_INPUT_INTERRUPTED when a signal interrupted a read (calling again continues where it stopped). */
int mf_input_next(mf_input *in, mf_value *v, char *errmsg, size_t errlen);
/* Counts the tokens (valid or not) of the whole input into in->tokens_ahead, setting in->counted_ahead, when
   every input is a regular file and all are at most max_bytes together: one more read of them, for the
   progress line's exact total from the start. Leaves counted_ahead 0 otherwise or on a read error (or out of
   memory). Any time after mf_input_open: it reads the files through its own handles. */
void mf_input_count_ahead(mf_input *in, uint64_t max_bytes);
/* Counts into *lines the input lines from the first byte not yet cut or read to the end of the last input
   (a line begun counts whole; a file's last line without a newline counts), reading the files through its own
   handles. Returns 0, or -1 when some input is not a regular file or cannot be read (*lines then means
   nothing). Between mf_input_slice calls, or right after mf_input_skip (the rest of a line it began counts
   as a line, as the next slice takes it). */
int mf_input_count_lines_left(mf_input *in, uint64_t *lines);
/* Bytes of input tokenized so far (read-ahead excluded). */
uint64_t mf_input_consumed(const mf_input *in);
/* Closes everything and frees in's storage. */
void mf_input_close(mf_input *in);

/* Bytes kept from each end of a slice (mf_slice_info head and tail). */
#define MF_SLICE_END_BYTES 64

/* Where a slice of input text begins: the input it came from and the scanner state at its first byte. */
typedef struct mf_slice_info {
    uint32_t file;        /* index into the input list */
    uint64_t line;        /* line number of the first byte (1-based) */
    int in_comment;       /* the first byte lies inside a '#' comment */
    uint64_t offset;      /* byte offset of the first byte in its input */
    uint64_t len;         /* the slice's length in bytes */
    unsigned char head[MF_SLICE_END_BYTES], tail[MF_SLICE_END_BYTES]; /* its first and last bytes */
    size_t head_len, tail_len;
    uint64_t lines;       /* the lines it holds (a last one without its newline counts) */
} mf_slice_info;

/* Reads past the first count numbers (those a checkpoint records as done; their bad tokens are reported
   again). Returns 0; 1 when the input holds fewer numbers (errmsg says so); -1 on a read error (errmsg). */
int mf_input_skip(mf_input *in, uint64_t count, char *errmsg, size_t errlen);
/* Mean bytes per line of the input block at hand (after mf_input_cut: the rest of the block that cut read),
   reading the first 4 KiB of the next block when none is at hand, the rest of the block only when those hold no
   newline (what it read stays at hand for mf_input_slice): sizes the first units before any cost is
   measured. -1 when the block holds no newline or cannot be read now (mf_input_slice then reports any error). */
double mf_input_line_length(mf_input *in);
/* Cuts the next slice of raw input text and appends its bytes to b (b NULL: only cuts it; info->offset and
   info->len then locate it in a regular file): at least about `target` bytes (less at
   the end of a file), ending at a newline when one comes within a long line's allowance, else at other
   whitespace, else at the end of the token (a token is never cut; a slice never spans two files).
   lines > 0 instead takes exactly that many lines (fewer at the end of a file).
   The skipped part of a comment may be cut too: the next slice then starts with in_comment set.
   Counts the slice's tokens into in->tokens (the progress line's total) when in->count_tokens is set.
   Returns 1 with *info set, 0 at the end of all inputs, -1 on a read error (message in errmsg), or
   MF_INPUT_INTERRUPTED (calling again continues). Must not be mixed with a pending mf_input_next token
   (call it only right after mf_input_next returned a number, or from the start). */
int mf_input_slice(mf_input *in, mf_buf *b, size_t target, uint32_t lines, mf_slice_info *info, char *errmsg,
                   size_t errlen);
/* Cuts the next slice of a regular file by byte offset, reading only a few blocks around its end whatever its
   length (rank 0's work per unit does not grow with the unit's bytes): as mf_input_slice with b NULL and no
   line count, at least about `target` bytes (less at the end of a file), ending just after a newline when one
   comes within a long line's allowance, else at whitespace or before a '#' (inside a comment anywhere). The
   slice's lines are not counted: info->line is 0 (the unit counts its lines from 1; mf_sink_lines_from
   resolves them in order), info->lines 0, and in->line stays where it was. Every input must be a regular file
   (in->all_regular); at the start, or after mf_input_slice, mf_input_skip or mf_input_line_length. Returns 1
   with *info set, 0 at the end of all inputs, -1 on a read error (message in errmsg). */
int mf_input_cut(mf_input *in, size_t target, mf_slice_info *info, char *errmsg, size_t errlen);
/* Cuts the open window (mf_input_window) in two where a cut of at least half its uncut rest from the next
   slice's start would end, and gives up the back part: the window then ends there, *back describes the part
   beyond (a slice as mf_input_cut gives, for a node leader to hand back) and in->bytes_total no longer counts
   it. Returns 1, 0 when no window is open or its rest is one cut (nothing given up), or -1 on a read error
   (errmsg). */
int mf_input_window_split(mf_input *in, mf_slice_info *back, char *errmsg, size_t errlen);
/* Restricts mf_input_cut to the len bytes of input `file` from `offset` (a slice that rank 0 cut, handed to a
   node leader to cut again): the next cut starts there, with the comment state in_comment, and cuts return 0
   once the window is used up (until the next call). A window's end is a cut point, so slices cut inside it
   are those a cut of the whole file could make. Adds len to in->bytes_total (the bytes to hand out). Returns
   0, or -1 when the file cannot be opened or is not a regular file (errmsg). */
int mf_input_window(mf_input *in, uint32_t file, uint64_t offset, uint64_t len, int in_comment, char *errmsg,
                    size_t errlen);
/* The slice of the open input (a regular file, no window open) that holds the lines starting at offsets in
   [from, to): from its first line start at or after `from` to its first at or after `to` (a line start: offset 0
   or just after a newline; the file's size when none is left), into *info as mf_input_cut gives (head and tail
   bytes; line 0, in_comment 0, lines 0). Empty (len 0) when no line starts there. The lines of [0, t) and [t, u)
   make those of [0, u): ranks that each take their own range of one file find disjoint slices covering it,
   with no message, however long its lines. The cursor does not move. Returns 0, or -1 on a read error or when
   the open input is not a regular file (errmsg). */
int mf_input_lines_between(mf_input *in, uint64_t from, uint64_t to, mf_slice_info *info, char *errmsg,
                           size_t errlen);
/* Cuts the next slice as the lines that start before offset `to` of the open input (mf_input_lines_between from
   the cursor, which must stand at a line start, as at the start): the cursor moves past it, as after
   mf_input_cut. Returns 0, or -1 (errmsg). */
int mf_input_cut_lines_before(mf_input *in, uint64_t to, mf_slice_info *info, char *errmsg, size_t errlen);
/* Display name of input index i ("stdin" for "-" or when no paths were given). */
const char *mf_input_name(const char *const *paths, int npaths, uint32_t i);

/* A tokenizer over one slice of text in memory (no I/O). */
typedef struct mf_scan {
    const unsigned char *p;
    size_t len, pos;
    uint64_t line;        /* line of p[pos] */
    int in_comment;
} mf_scan;

/* Starts scanning len bytes at p from the state in info. */
void mf_scan_init(mf_scan *s, const unsigned char *p, size_t len, uint64_t line, int in_comment);
/* Finds the next token: returns 1 with tok, toklen and tokline set (the token lies inside the slice), or 0 at
   the end of the slice. Afterwards s->pos is just past the token's terminating byte (if any). */
int mf_scan_next(mf_scan *s, const unsigned char **tok, size_t *toklen, uint64_t *tokline);
/* Counts the newline bytes in p[0..len). */
uint64_t mf_count_newlines(const unsigned char *p, size_t len);
/* Appends "mpifactor: NAME:LINE: 'TOKEN' is not a valid non-negative integer\n" to out. */
void mf_invalid_message(mf_buf *out, const char *name, uint64_t line, const unsigned char *tok, size_t len);

/* Classifies one token (not NUL-terminated): returns 1 and sets v when it is a valid decimal
   integer (optional '+', ASCII digits only, leading zeros allowed), else 0. scratch is work space. */
int mf_parse_token(const unsigned char *s, size_t len, mf_value *v, mpz_ptr scratch);
/* Size of a buffer that holds any mf_token_display rendering. */
#define MF_TOKEN_DISPLAY_SIZE 128
/* Writes a printable, quoted rendering of a token to out, NUL-terminated within outlen bytes
   (MF_TOKEN_DISPLAY_SIZE always suffices): bytes outside printable ASCII and the backslash as
   \xNN; a token whose escaped form exceeds 60 characters as its head and tail around an
   ellipsis (U+2026, UTF-8) followed by its length, e.g. '12345…6789x' (81 characters). */
void mf_token_display(const unsigned char *s, size_t len, char *out, size_t outlen);

#endif
