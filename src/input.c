/* Streaming input: whitespace-separated decimal tokens, '#' comments, errors with file and line. */
#define _GNU_SOURCE /* memrchr */
#include "mf_input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define CHUNK_SIZE (1u << 16)
/* what mf_input_line_length reads first when no block is at hand: a whole block's first read cost rank 0
   0.4-0.8 ms of its start on the 2-core VM, this one 17 us; it reads more only for a line longer than this */
#define LINE_SAMPLE_BYTES 4096u
#define DISPLAY_MAX 60   /* a bad token whose escaped form is longer is shown as head…tail */
#define DISPLAY_HEAD 28  /* characters of the head shown */
#define DISPLAY_TAIL 28  /* characters of the tail shown */

static const char *display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "stdin" : path;
}

static int open_path(mf_input *in, const char *path, char *errmsg, size_t errlen);

/* Fills *s from st when it is a regular file. */
static void seen_from(mf_file_seen *s, const struct stat *st)
{
    memset(s, 0, sizeof *s);
    if (!S_ISREG(st->st_mode))
        return;
    s->known = 1;
    s->dev = (uint64_t)st->st_dev;
    s->ino = (uint64_t)st->st_ino;
    s->size = (uint64_t)st->st_size;
    s->mtime_s = (int64_t)st->st_mtim.tv_sec;
    s->mtime_ns = (int64_t)st->st_mtim.tv_nsec;
}

void mf_file_seen_path(mf_file_seen *s, const char *path)
{
    struct stat st;
    memset(s, 0, sizeof *s);
    if (stat(path, &st) == 0)
        seen_from(s, &st);
}

int mf_file_changed(const mf_file_seen *s, int fd, const char *name, char *err, size_t errlen)
{
    struct stat st;
    mf_file_seen now;
    if (!s->known || fstat(fd, &st) != 0)
        return 0;
    seen_from(&now, &st);
    if (now.known && now.dev == s->dev && now.ino == s->ino && now.size == s->size && now.mtime_s == s->mtime_s &&
        now.mtime_ns == s->mtime_ns)
        return 0;
    snprintf(err, errlen, "%s changed during the run (%llu bytes, now %lld)", name, (unsigned long long)s->size,
             (long long)st.st_size);
    return 1;
}

/* Closes the input that ended and opens the next one, if any. Returns 0, or -1 (message in errmsg). */
static int next_path(mf_input *in, char *errmsg, size_t errlen)
{
    if (in->fp != stdin)
        fclose(in->fp);
    in->fp = NULL;
    in->current++;
    if (in->current < in->npaths && open_path(in, in->paths[in->current], errmsg, errlen) != 0)
        return -1;
    return 0;
}

/* Reads more of the open input into the chunk, until it holds upto bytes: after what it holds, or from its start
   when all of that was consumed. The caller asks for more than the chunk then holds (every caller calls it with
   the chunk consumed, or holding less than upto): a request for nothing reads nothing and returns 0, which reads
   as the input's end. Returns the bytes read (0 at the input's end), -1 on a read error (message in errmsg), or
   MF_INPUT_INTERRUPTED when a signal interrupted the read. */
static long fill_chunk(mf_input *in, size_t upto, char *errmsg, size_t errlen)
{
    in->win_len = 0; /* the chunk is the reader's again */
    if (in->chunk_pos == in->chunk_len)
        in->chunk_pos = in->chunk_len = 0;
    if (in->fp_stale) { /* slices were cut by offset: read on from where the last one ended */
        if (fseeko(in->fp, (off_t)in->file_read, SEEK_SET) != 0) {
            snprintf(errmsg, errlen, "%s: %s", in->name, strerror(errno));
            return -1;
        }
        in->fp_stale = 0;
    }
    size_t n = upto > in->chunk_len ? fread(in->chunk + in->chunk_len, 1, upto - in->chunk_len, in->fp) : 0;
    in->chunk_len += n;
    in->bytes_read += n;
    in->file_read += n;
    if (n == 0 && ferror(in->fp)) {
        if (errno == EINTR) { /* a signal arrived while waiting for input: let the caller decide */
            clearerr(in->fp);
            return MF_INPUT_INTERRUPTED;
        }
        int e = errno;
        if (!mf_file_changed(&in->seen[in->current], fileno(in->fp), in->name, errmsg, errlen))
            snprintf(errmsg, errlen, "%s: read error: %s", in->name, strerror(e));
        return -1;
    }
    /* a regular file that ends early or late was cut or grown under the run (a file whose size says nothing,
       as in /proc, has not changed size or time since it was opened) */
    const mf_file_seen *seen = &in->seen[in->current];
    if (n == 0 && seen->known && in->file_read != seen->size &&
        mf_file_changed(seen, fileno(in->fp), in->name, errmsg, errlen))
        return -1;
    return (long)n;
}

/* Reads the next block of the current input into the chunk, all of it consumed (see fill_chunk). */
static long read_chunk(mf_input *in, char *errmsg, size_t errlen)
{
    return fill_chunk(in, CHUNK_SIZE, errmsg, errlen);
}

static int open_path(mf_input *in, const char *path, char *errmsg, size_t errlen)
{
    in->name = display_name(path);
    in->win_len = 0;
    in->fp_stale = 0;
    in->line = 1;
    in->in_comment = 0;
    in->tok_gap = 1;
    in->file_read = 0;
    if (strcmp(path, "-") == 0) {
        in->fp = stdin;
        return 0;
    }
    in->fp = fopen(path, "rb");
    if (!in->fp) {
        snprintf(errmsg, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int mf_input_open(mf_input *in, const char *const *paths, int npaths, FILE *err, char *errmsg, size_t errlen)
{
    static const char *const stdin_only[] = {"-"};
    memset(in, 0, sizeof *in);
    if (npaths == 0) {
        paths = stdin_only;
        npaths = 1;
    }
    in->paths = paths;
    in->npaths = npaths;
    in->err = err;
    in->count_tokens = 1;
    mf_buf_init(&in->token);
    mpz_init(in->scratch);
    in->chunk = malloc(CHUNK_SIZE);
    in->seen = calloc((size_t)npaths, sizeof *in->seen);
    if (!in->chunk || !in->seen) {
        snprintf(errmsg, errlen, "out of memory");
        return -1;
    }
    in->all_regular = 1;
    for (int i = 0; i < npaths; i++) {
        if (strcmp(paths[i], "-") == 0) {
            in->all_regular = 0;
            continue;
        }
        struct stat st;
        FILE *f = fopen(paths[i], "rb");
        if (!f) {
            snprintf(errmsg, errlen, "%s: %s", paths[i], strerror(errno));
            return -1;
        }
        if (fstat(fileno(f), &st) != 0)
            memset(&st, 0, sizeof st); /* nothing known: neither a directory nor a regular file */
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            snprintf(errmsg, errlen, "%s: %s", paths[i], strerror(EISDIR));
            return -1;
        }
        seen_from(&in->seen[i], &st);
        if (S_ISREG(st.st_mode))
            in->bytes_total += (uint64_t)st.st_size;
        else
            in->all_regular = 0;
        fclose(f);
    }
    return open_path(in, paths[0], errmsg, errlen);
}

uint64_t mf_input_consumed(const mf_input *in)
{
    return in->bytes_read - (in->chunk_len - in->chunk_pos);
}

void mf_input_close(mf_input *in)
{
    if (in->fp && in->fp != stdin)
        fclose(in->fp);
    in->fp = NULL;
    free(in->chunk);
    in->chunk = NULL;
    free(in->seen);
    in->seen = NULL;
    mf_buf_free(&in->token);
    mpz_clear(in->scratch);
}

int mf_parse_token(const unsigned char *s, size_t len, mf_value *v, mpz_ptr scratch)
{
    if (len && s[0] == '+') {
        s++;
        len--;
    }
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    while (len > 1 && s[0] == '0') {
        s++;
        len--;
    }
    static const char max64[] = "18446744073709551615";
    if (len < 20 || (len == 20 && memcmp(s, max64, 20) <= 0)) {
        uint64_t u = 0;
        for (size_t i = 0; i < len; i++)
            u = u * 10 + (uint64_t)(s[i] - '0');
        mf_value_set_u64(v, u);
        return 1;
    }
    char *text = malloc(len + 1);
    if (!text)
        abort();
    memcpy(text, s, len);
    text[len] = '\0';
    mpz_set_str(scratch, text, 10);
    free(text);
    mf_value_set_mpz(v, scratch);
    return 1;
}

/* Length of the escaped form of byte c: 1 (printable ASCII but the backslash) or 4 (\xNN). */
static size_t escaped_len(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '\\' ? 1 : 4;
}

/* Writes the escaped form of byte c (itself, or \xNN) to piece; returns its length (1 or 4). */
static size_t escape_byte(unsigned char c, char piece[5])
{
    if (escaped_len(c) == 1) {
        piece[0] = (char)c;
        piece[1] = '\0';
        return 1;
    }
    snprintf(piece, 5, "\\x%02x", c);
    return 4;
}

/* Appends the escaped bytes s[from..to) to out at *o, never past outlen - 1. */
static void put_escaped(const unsigned char *s, size_t from, size_t to, char *out, size_t outlen, size_t *o)
{
    for (size_t i = from; i < to; i++) {
        char piece[5];
        size_t pl = escape_byte(s[i], piece);
        if (*o + pl >= outlen)
            return;
        memcpy(out + *o, piece, pl);
        *o += pl;
    }
}

/* Appends text to out at *o, never past outlen - 1. */
static void put_text(const char *text, char *out, size_t outlen, size_t *o)
{
    size_t n = strlen(text);
    if (*o + n >= outlen)
        return;
    memcpy(out + *o, text, n);
    *o += n;
}

void mf_token_display(const unsigned char *s, size_t len, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    size_t total = 0; /* escaped length, counted only up to DISPLAY_MAX + 1 */
    for (size_t i = 0; i < len && total <= DISPLAY_MAX; i++)
        total += escaped_len(s[i]);
    size_t o = 0;
    put_text("'", out, outlen, &o);
    if (total <= DISPLAY_MAX) {
        put_escaped(s, 0, len, out, outlen, &o);
        put_text("'", out, outlen, &o);
    } else {
        /* head and tail of whole escapes; they cannot meet since total > DISPLAY_HEAD + DISPLAY_TAIL */
        size_t head = 0, head_chars = 0, tail = len, tail_chars = 0;
        while (head_chars + escaped_len(s[head]) <= DISPLAY_HEAD)
            head_chars += escaped_len(s[head++]);
        while (tail_chars + escaped_len(s[tail - 1]) <= DISPLAY_TAIL)
            tail_chars += escaped_len(s[--tail]);
        char count[48];
        snprintf(count, sizeof count, "' (%llu characters)", (unsigned long long)len);
        put_escaped(s, 0, head, out, outlen, &o);
        put_text("\xe2\x80\xa6", out, outlen, &o); /* U+2026 in UTF-8 */
        put_escaped(s, tail, len, out, outlen, &o);
        put_text(count, out, outlen, &o);
    }
    out[o] = '\0';
}

void mf_invalid_message(mf_buf *out, const char *name, uint64_t line, const unsigned char *tok, size_t len)
{
    char shown[MF_TOKEN_DISPLAY_SIZE];
    mf_token_display(tok, len, shown, sizeof shown); /* quoted, with the length when shortened */
    mf_buf_put_str(out, "mpifactor: ");
    mf_buf_put_str(out, name);
    mf_buf_put_u8(out, ':');
    mf_buf_put_dec(out, line);
    mf_buf_put_str(out, ": ");
    mf_buf_put_str(out, shown);
    mf_buf_put_str(out, " is not a valid non-negative integer\n");
}

/* Reports the current token as invalid. */
static void report_invalid(mf_input *in)
{
    mf_buf msg;
    mf_buf_init(&msg);
    mf_invalid_message(&msg, in->name, in->token_line, in->token.data, in->token.len);
    fwrite(msg.data, 1, msg.len, in->err);
    mf_buf_free(&msg);
    in->invalid++;
}

/* Finishes the pending token: returns 1 if it was a valid number (stored in v), else 0. */
static int end_token(mf_input *in, mf_value *v)
{
    if (in->token.len == 0)
        return 0;
    int ok = mf_parse_token(in->token.data, in->token.len, v, in->scratch);
    if (!ok)
        report_invalid(in);
    in->token.len = 0;
    if (ok)
        in->valid++;
    return ok;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int mf_input_next(mf_input *in, mf_value *v, char *errmsg, size_t errlen)
{
    while (in->current < in->npaths) {
        while (in->chunk_pos < in->chunk_len) {
            unsigned char c = in->chunk[in->chunk_pos++];
            if (in->in_comment) {
                if (c == '\n') {
                    in->in_comment = 0;
                    in->line++;
                }
                continue;
            }
            if (is_space(c) || c == '#') {
                int got = end_token(in, v);
                if (c == '\n')
                    in->line++;
                else if (c == '#')
                    in->in_comment = 1;
                if (got)
                    return 1;
                continue;
            }
            if (in->token.len == 0)
                in->token_line = in->line;
            /* fast path: copy the rest of a digit run in one go */
            size_t start = in->chunk_pos - 1, end = in->chunk_pos;
            while (end < in->chunk_len && !is_space(in->chunk[end]) && in->chunk[end] != '#')
                end++;
            mf_buf_put(&in->token, in->chunk + start, end - start);
            in->chunk_pos = end;
        }
        long n = read_chunk(in, errmsg, errlen);
        if (n > 0)
            continue;
        if (n < 0)
            return (int)n;
        /* end of this input: a token at the end of file ends here */
        int got = end_token(in, v);
        if (next_path(in, errmsg, errlen) != 0)
            return -1;
        if (got)
            return 1;
    }
    return 0;
}

/* ---- slices of raw text for work units (master side) ---- */

#define LONG_LINE_ALLOWANCE (1u << 20) /* bytes past the target a slice may grow to reach a newline */

const char *mf_input_name(const char *const *paths, int npaths, uint32_t i)
{
    if (npaths == 0 || (int)i >= npaths)
        return "stdin";
    return display_name(paths[i]);
}

uint64_t mf_count_newlines(const unsigned char *p, size_t len)
{
    uint64_t count = 0;
    size_t i = 0;
#ifdef __SSE2__
    /* 16 bytes per step: each newline byte adds 1 to its lane (compare gives -1, subtracted); the lanes
       are summed every 255 steps, before a byte counter can wrap */
    const __m128i newline = _mm_set1_epi8('\n');
    while (len - i >= 16) {
        size_t steps = (len - i) / 16 < 255 ? (len - i) / 16 : 255;
        __m128i lanes = _mm_setzero_si128();
        for (size_t k = 0; k < steps; k++, i += 16)
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), newline));
        __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
        count += (uint64_t)_mm_cvtsi128_si64(sums) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
    }
#else
    const uint64_t ones = UINT64_C(0x0101010101010101), low7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t x = w ^ (ones * '\n');                 /* newline bytes become zero */
        uint64_t t = ((x & low7) + low7) | x | low7;    /* high bit clear exactly in zero bytes */
        count += (uint64_t)__builtin_popcountll(~t);
    }
#endif
    for (; i < len; i++)
        count += p[i] == '\n';
    return count;
}

/* Keeps the first and last MF_SLICE_END_BYTES bytes of a slice in info as p[0..n) is taken after `taken`. */
static void keep_ends(mf_slice_info *info, const unsigned char *p, size_t n, size_t taken)
{
    if (taken < MF_SLICE_END_BYTES) {
        size_t k = MF_SLICE_END_BYTES - taken < n ? MF_SLICE_END_BYTES - taken : n;
        memcpy(info->head + taken, p, k);
        info->head_len = taken + k;
    }
    if (n >= MF_SLICE_END_BYTES) {
        memcpy(info->tail, p + n - MF_SLICE_END_BYTES, MF_SLICE_END_BYTES);
        info->tail_len = MF_SLICE_END_BYTES;
        return;
    }
    size_t keep = info->tail_len + n > MF_SLICE_END_BYTES ? MF_SLICE_END_BYTES - n : info->tail_len;
    memmove(info->tail, info->tail + info->tail_len - keep, keep);
    memcpy(info->tail + keep, p, n);
    info->tail_len = keep + n;
}

/* Returns the tokens that start in p[0..n) (n > 0). *gap: the byte before p[0] ends any token (start of a file,
   a space, a comment), *comment: p[0] lies in a comment; both are left set for the byte after p[n - 1]. */
static uint64_t count_tokens(const unsigned char *p, size_t n, int *gap_io, int *comment_io)
{
    uint64_t count = 0;
    int gap = *gap_io;
    if (!*comment_io && !memchr(p, '#', n)) { /* the common case: no comment, no state but the gap */
        size_t i = 0;
#ifdef __SSE2__
        /* 16 bytes per step: a bit mask of the spaces; a token starts at a non-space after a space */
        const __m128i blank = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), four = _mm_set1_epi8(4);
        for (; n - i >= 16; i += 16) {
            __m128i c = _mm_loadu_si128((const __m128i *)(p + i));
            __m128i t = _mm_sub_epi8(c, tab); /* \t \n \v \f \r become 0..4 */
            __m128i sp = _mm_or_si128(_mm_cmpeq_epi8(c, blank), _mm_cmpeq_epi8(_mm_min_epu8(t, four), t));
            unsigned spaces = (unsigned)_mm_movemask_epi8(sp);
            unsigned starts = ~spaces & ((spaces << 1) | (unsigned)gap) & 0xffffu;
            count += (uint64_t)__builtin_popcount(starts);
            gap = (int)(spaces >> 15);
        }
#endif
        for (; i < n; i++) {
            int space = is_space(p[i]);
            count += gap && !space;
            gap = space;
        }
    } else {
        int comment = *comment_io;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = p[i];
            if (comment) {
                comment = c != '\n';
            } else if (c == '#') {
                comment = gap = 1;
            } else if (is_space(c)) {
                gap = 1;
            } else {
                count += gap;
                gap = 0;
            }
        }
        *comment_io = comment;
    }
    *gap_io = gap;
    return count;
}

void mf_input_count_ahead(mf_input *in, uint64_t max_bytes)
{
    in->counted_ahead = 0;
    in->tokens_ahead = 0;
    unsigned char *buf = in->all_regular && in->bytes_total <= max_bytes ? malloc(CHUNK_SIZE) : NULL;
    if (!buf)
        return;
    uint64_t count = 0;
    int failed = 0;
    for (int i = 0; i < in->npaths && !failed; i++) {
        FILE *f = fopen(in->paths[i], "rb");
        if (!f) {
            failed = 1;
            break;
        }
        int gap = 1, comment = 0;
        size_t n;
        while ((n = fread(buf, 1, CHUNK_SIZE, f)) > 0)
            count += count_tokens(buf, n, &gap, &comment);
        failed = ferror(f); /* reading the input proper reports it */
        fclose(f);
    }
    free(buf);
    in->counted_ahead = !failed;
    in->tokens_ahead = failed ? 0 : count;
}

/* Takes p[0..n) into the slice (appending it to b unless b is NULL) and advances the line and comment state
   over it; *taken and *last track the slice's length and last byte, info its length and ends. */
static void slice_take(mf_input *in, mf_buf *b, const unsigned char *p, size_t n, size_t *taken, int *last,
                       mf_slice_info *info)
{
    if (b)
        mf_buf_put(b, p, n);
    keep_ends(info, p, n, *taken);
    int comment = in->in_comment; /* moved below by its own, faster rule */
    if (in->count_tokens)
        in->tokens += count_tokens(p, n, &in->tok_gap, &comment);
    const unsigned char *nl = memrchr(p, '\n', n);
    if (nl) {
        uint64_t newlines = mf_count_newlines(p, (size_t)(nl - p) + 1);
        in->line += newlines;
        info->lines += newlines;
        in->in_comment = memchr(nl, '#', n - (size_t)(nl - p)) != NULL;
    } else if (!in->in_comment) {
        in->in_comment = memchr(p, '#', n) != NULL;
    }
    in->chunk_pos += n;
    *taken += n;
    *last = p[n - 1];
    info->len = *taken;
}

/* Index of the first whitespace byte in p[0..n), or n. */
static size_t find_space(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_space(p[i]))
            return i;
    return n;
}

int mf_input_skip(mf_input *in, uint64_t count, char *errmsg, size_t errlen)
{
    mf_value v;
    mf_value_init(&v);
    int rc = 0;
    for (uint64_t i = 0; i < count && rc == 0;) {
        int got = mf_input_next(in, &v, errmsg, errlen);
        if (got == MF_INPUT_INTERRUPTED)
            continue;
        if (got == 0) {
            snprintf(errmsg, errlen, "input has fewer numbers than the checkpoint records");
            rc = 1;
        } else if (got < 0) {
            rc = -1;
        }
        i++;
    }
    mf_value_clear(&v);
    return rc;
}

double mf_input_line_length(mf_input *in)
{
    char err[256];
    /* slices cut by offset: the block the last cut read holds the bytes after it (no read) */
    if (in->win_len && in->chunk_pos == in->chunk_len && in->file_read >= in->win_at &&
        in->file_read < in->win_at + in->win_len) {
        size_t off = (size_t)(in->file_read - in->win_at), avail = in->win_len - off;
        uint64_t lines = mf_count_newlines(in->chunk + off, avail);
        if (lines)
            return (double)avail / (double)lines;
    }
    if (in->current < in->npaths && in->chunk_pos == in->chunk_len &&
        fill_chunk(in, LINE_SAMPLE_BYTES, err, sizeof err) <= 0)
        return -1;
    size_t avail = in->chunk_len - in->chunk_pos;
    uint64_t lines = mf_count_newlines(in->chunk + in->chunk_pos, avail);
    if (!lines && in->current < in->npaths && in->chunk_len < CHUNK_SIZE &&
        fill_chunk(in, CHUNK_SIZE, err, sizeof err) > 0) { /* a line longer than the sample: the rest of the block */
        avail = in->chunk_len - in->chunk_pos;
        lines = mf_count_newlines(in->chunk + in->chunk_pos, avail);
    }
    return lines ? (double)avail / (double)lines : -1;
}

/* mf_input_slice less the count of a last line without its newline. */
static int cut_slice(mf_input *in, mf_buf *b, size_t target, uint32_t lines, mf_slice_info *info, char *errmsg,
                     size_t errlen)
{
    size_t taken = 0;
    int last = -1;
    uint32_t lines_taken = 0;
    while (in->current < in->npaths) {
        if (in->chunk_pos == in->chunk_len) {
            long n = read_chunk(in, errmsg, errlen);
            if (n < 0)
                return (int)n;
            if (n == 0) {
                if (next_path(in, errmsg, errlen) != 0)
                    return -1;
                if (taken > 0)
                    return 1; /* a slice ends with its file */
            }
            continue;
        }
        if (taken == 0) {
            info->file = (uint32_t)in->current;
            info->line = in->line;
            info->in_comment = in->in_comment;
            info->offset = in->file_read - (in->chunk_len - in->chunk_pos);
            info->head_len = info->tail_len = 0;
            info->lines = 0;
        }
        const unsigned char *p = in->chunk + in->chunk_pos;
        size_t avail = in->chunk_len - in->chunk_pos;
        if (lines > 0) { /* --unit-size: whole lines */
            const unsigned char *nl = memchr(p, '\n', avail);
            slice_take(in, b, p, nl ? (size_t)(nl - p) + 1 : avail, &taken, &last, info);
            if (nl && ++lines_taken == lines)
                return 1;
            continue;
        }
        if (taken < target) {
            slice_take(in, b, p, avail < target - taken ? avail : target - taken, &taken, &last, info);
            continue;
        }
        if (last == '\n')
            return 1; /* the target fell just after a newline */
        const unsigned char *nl = memchr(p, '\n', avail);
        if (nl) {
            slice_take(in, b, p, (size_t)(nl - p) + 1, &taken, &last, info);
            return 1;
        }
        if (taken >= target + LONG_LINE_ALLOWANCE) {
            if (in->in_comment)
                return 1; /* cut inside a comment: the next slice starts in it */
            size_t sp = find_space(p, avail);
            if (sp < avail) {
                slice_take(in, b, p, sp + 1, &taken, &last, info);
                return 1;
            }
        }
        slice_take(in, b, p, avail, &taken, &last, info);
    }
    return taken > 0;
}

int mf_input_slice(mf_input *in, mf_buf *b, size_t target, uint32_t lines, mf_slice_info *info, char *errmsg,
                   size_t errlen)
{
    int rc = cut_slice(in, b, target, lines, info, errmsg, errlen);
    if (rc == 1 && info->tail_len > 0 && info->tail[info->tail_len - 1] != '\n')
        info->lines++; /* a line cut short, or a file's last line without a newline */
    return rc;
}

/* ---- slices cut by byte offset (master side, regular files) ---- */

#define CUT_WINDOW 4096 /* bytes read at a time around a cut by offset */

/* Reads n bytes at offset `at` of the open input into buf. Returns 0, or -1 (errmsg). */
static int read_window(mf_input *in, unsigned char *buf, size_t n, uint64_t at, char *errmsg, size_t errlen)
{
    int fd = fileno(in->fp);
    in->cut_read += n;
    if (mf_pread_all(fd, buf, n, at) == 0)
        return 0;
    int e = errno;
    if (!mf_file_changed(&in->seen[in->current], fd, in->name, errmsg, errlen))
        snprintf(errmsg, errlen, "%s: read error: %s", in->name, strerror(e));
    return -1;
}

/* Copies n bytes (<= CUT_WINDOW) at offset `at` of the open input into out: from the window of the last cut
   when it holds them (the next slice's first bytes usually), else read. Returns 0, or -1 (errmsg). */
static int get_bytes(mf_input *in, unsigned char *out, size_t n, uint64_t at, char *errmsg, size_t errlen)
{
    if (in->win_len && at >= in->win_at && at + n <= in->win_at + in->win_len) {
        memcpy(out, in->chunk + (at - in->win_at), n);
        return 0;
    }
    return read_window(in, out, n, at, errmsg, errlen);
}

/* The offset of the first byte in [from, to) of the open input that is a newline (any_space: any whitespace
   or '#'), into *at (`to` when there is none) and the byte into *byte. Returns 0, or -1 (errmsg). */
static int find_cut(mf_input *in, uint64_t from, uint64_t to, int any_space, uint64_t *at, int *byte, char *errmsg,
                    size_t errlen)
{
    unsigned char buf[CUT_WINDOW];
    for (uint64_t p = from; p < to;) {
        size_t n = to - p < CUT_WINDOW ? (size_t)(to - p) : CUT_WINDOW;
        if (read_window(in, buf, n, p, errmsg, errlen) != 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == '\n' || (any_space && (is_space(buf[i]) || buf[i] == '#'))) {
                *at = p + i;
                *byte = buf[i];
                return 0;
            }
        }
        p += n;
    }
    *at = to;
    *byte = -1;
    return 0;
}

/* Whether offset `to` of the open input lies in a comment, from the state `comment` at `from` (reads [from, to):
   only for a line longer than the allowance). Returns 0 with *out set, or -1 (errmsg). */
static int comment_at(mf_input *in, uint64_t from, uint64_t to, int comment, int *out, char *errmsg, size_t errlen)
{
    unsigned char buf[CUT_WINDOW];
    for (uint64_t p = from; p < to;) {
        size_t n = to - p < CUT_WINDOW ? (size_t)(to - p) : CUT_WINDOW;
        if (read_window(in, buf, n, p, errmsg, errlen) != 0)
            return -1;
        const unsigned char *nl = memrchr(buf, '\n', n);
        if (nl)
            comment = memchr(nl, '#', n - (size_t)(nl - buf)) != NULL;
        else if (!comment)
            comment = memchr(buf, '#', n) != NULL;
        p += n;
    }
    *out = comment;
    return 0;
}

int mf_input_window(mf_input *in, uint32_t file, uint64_t offset, uint64_t len, int in_comment, char *errmsg,
                    size_t errlen)
{
    if (file >= (uint32_t)in->npaths || !in->seen[file].known) {
        snprintf(errmsg, errlen, "input %u: not a regular file: it cannot be cut by offset", (unsigned)file);
        return -1;
    }
    if ((int)file != in->current || !in->fp) {
        if (in->fp && in->fp != stdin)
            fclose(in->fp);
        in->fp = NULL;
        in->current = (int)file;
        if (open_path(in, in->paths[file], errmsg, errlen) != 0)
            return -1;
    }
    in->bytes_read = mf_input_consumed(in);
    in->chunk_len = in->chunk_pos = 0;
    in->win_len = 0;
    in->file_read = offset;
    in->fp_stale = 1;
    in->in_comment = in_comment;
    in->windowed = 1;
    in->window_end = offset + len;
    in->bytes_total += len;
    return 0;
}

int mf_input_window_split(mf_input *in, mf_slice_info *back, char *errmsg, size_t errlen)
{
    if (!in->windowed)
        return 0;
    uint64_t pos = in->file_read - (in->chunk_len - in->chunk_pos);
    size_t target = (size_t)((in->window_end > pos ? in->window_end - pos : 0) / 2);
    mf_input saved = *in; /* the cursor and the block at hand; the cuts below only move them */
    mf_slice_info front;
    int rc = mf_input_cut(in, target, &front, errmsg, errlen);
    if (rc == 1)
        rc = mf_input_cut(in, SIZE_MAX, back, errmsg, errlen); /* the rest of the window: its check bytes */
    uint64_t cut_read = in->cut_read;
    *in = saved;
    in->cut_read = cut_read;
    /* the read buffer was reused by the cuts: the cursor stays, what the buffer held is read again */
    in->file_read -= in->chunk_len - in->chunk_pos;
    in->chunk_len = in->chunk_pos = 0;
    in->win_len = 0;
    in->fp_stale = 1;
    if (rc != 1)
        return rc;
    in->window_end = back->offset;
    in->bytes_total -= back->len;
    return 1;
}

/* Moves the cursor of the open input from offset pos past the slice cut up to end, where the comment state is
   next_comment (the cut read around its ends by offset, not through the read buffer). */
static void move_past(mf_input *in, uint64_t pos, uint64_t end, int next_comment)
{
    in->bytes_read = mf_input_consumed(in) + (end - pos);
    in->chunk_len = in->chunk_pos = 0;
    in->file_read = end;
    in->fp_stale = 1;
    in->in_comment = next_comment;
}

int mf_input_cut(mf_input *in, size_t target, mf_slice_info *info, char *errmsg, size_t errlen)
{
    while (in->current < in->npaths) {
        uint64_t size = in->seen[in->current].size;
        uint64_t pos = in->file_read - (in->chunk_len - in->chunk_pos);
        if (!in->seen[in->current].known) {
            snprintf(errmsg, errlen, "%s: not a regular file: it cannot be cut by offset", in->name);
            return -1;
        }
        if (in->windowed) { /* a leader's block: it ends there as a file would */
            if (pos >= in->window_end)
                return 0;
            if (size > in->window_end)
                size = in->window_end;
        }
        if (pos >= size) {
            if (next_path(in, errmsg, errlen) != 0)
                return -1;
            continue;
        }
        uint64_t end = target >= size - pos ? size : pos + (target ? target : 1);
        int next_comment = 0, byte;
        /* the first bytes: usually in the block the last cut read */
        info->head_len = size - pos < MF_SLICE_END_BYTES ? (size_t)(size - pos) : MF_SLICE_END_BYTES;
        if (get_bytes(in, info->head, info->head_len, pos, errmsg, errlen) != 0)
            return -1;
        if (end < size) { /* end just after the first newline from the target on */
            uint64_t limit = end - 1 + LONG_LINE_ALLOWANCE < size ? end - 1 + LONG_LINE_ALLOWANCE : size, at;
            /* a block from a little before the target: it holds the newline, the slice's last bytes and the next
               slice's first (and, for slices shorter than a block, the next cuts too) */
            uint64_t w0 = end - 1 >= pos + MF_SLICE_END_BYTES ? end - 1 - MF_SLICE_END_BYTES : pos;
            const unsigned char *nl = NULL;
            if (in->win_len && w0 >= in->win_at && end - 1 < in->win_at + in->win_len) {
                size_t from = (size_t)(end - 1 - in->win_at);
                nl = memchr(in->chunk + from, '\n', in->win_len - from);
            }
            if (!nl) {
                size_t n = size - w0 < CUT_WINDOW ? (size_t)(size - w0) : CUT_WINDOW;
                in->win_len = 0;
                if (read_window(in, in->chunk, n, w0, errmsg, errlen) != 0)
                    return -1;
                in->win_at = w0;
                in->win_len = n;
                size_t from = (size_t)(end - 1 - w0);
                nl = memchr(in->chunk + from, '\n', n - from);
            }
            if (nl)
                at = in->win_at + (uint64_t)(nl - in->chunk);
            else if (find_cut(in, in->win_at + in->win_len, limit, 0, &at, &byte, errmsg, errlen) != 0)
                return -1;
            if (at < limit || limit == size) {
                end = at < limit ? at + 1 : size;
            } else { /* a line longer than the allowance: inside a comment anywhere, else after whitespace or
                        before a '#' (a token is never cut) */
                int comment;
                if (comment_at(in, pos, limit, in->in_comment, &comment, errmsg, errlen) != 0)
                    return -1;
                if (comment) {
                    end = limit;
                    next_comment = 1;
                } else {
                    if (find_cut(in, limit, size, 1, &at, &byte, errmsg, errlen) != 0)
                        return -1;
                    end = at == size ? size : byte == '#' ? at : at + 1;
                }
            }
        }
        info->file = (uint32_t)in->current;
        info->line = 0;
        info->in_comment = in->in_comment;
        info->offset = pos;
        info->len = end - pos;
        info->lines = 0;
        if (info->head_len > info->len)
            info->head_len = (size_t)info->len;
        info->tail_len = info->len < MF_SLICE_END_BYTES ? (size_t)info->len : MF_SLICE_END_BYTES;
        if (get_bytes(in, info->tail, info->tail_len, end - info->tail_len, errmsg, errlen) != 0)
            return -1;
        move_past(in, pos, end, next_comment);
        return 1;
    }
    return 0;
}

/* The first line start at or after offset t of the open input of `size` bytes (size when none): t at 0, else just
   after the first newline from t - 1 on. Returns 0, or -1 (errmsg). */
static int line_start_from(mf_input *in, uint64_t t, uint64_t size, uint64_t *start, char *errmsg, size_t errlen)
{
    if (t == 0 || t >= size) {
        *start = t < size ? t : size;
        return 0;
    }
    uint64_t at;
    int byte;
    if (find_cut(in, t - 1, size, 0, &at, &byte, errmsg, errlen) != 0)
        return -1;
    *start = at < size ? at + 1 : size;
    return 0;
}

int mf_input_lines_between(mf_input *in, uint64_t from, uint64_t to, mf_slice_info *info, char *errmsg,
                           size_t errlen)
{
    if (in->current >= in->npaths || !in->fp || !in->seen[in->current].known || in->windowed) {
        snprintf(errmsg, errlen, "%s: not a regular file: it cannot be cut by offset", in->name ? in->name : "input");
        return -1;
    }
    uint64_t size = in->seen[in->current].size, start, end;
    if (line_start_from(in, from, size, &start, errmsg, errlen) != 0 ||
        line_start_from(in, to > from ? to : from, size, &end, errmsg, errlen) != 0)
        return -1;
    info->file = (uint32_t)in->current;
    info->line = 0;
    info->in_comment = 0;
    info->offset = start;
    info->len = end - start;
    info->lines = 0;
    info->head_len = info->len < MF_SLICE_END_BYTES ? (size_t)info->len : MF_SLICE_END_BYTES;
    info->tail_len = info->head_len;
    if (get_bytes(in, info->head, info->head_len, start, errmsg, errlen) != 0 ||
        get_bytes(in, info->tail, info->tail_len, end - info->tail_len, errmsg, errlen) != 0)
        return -1;
    return 0;
}

int mf_input_cut_lines_before(mf_input *in, uint64_t to, mf_slice_info *info, char *errmsg, size_t errlen)
{
    uint64_t pos = in->file_read - (in->chunk_len - in->chunk_pos);
    if (mf_input_lines_between(in, pos, to, info, errmsg, errlen) != 0)
        return -1;
    if (info->offset != pos || in->in_comment) {
        snprintf(errmsg, errlen, "%s: offset %llu is not a line start", in->name, (unsigned long long)pos);
        return -1;
    }
    move_past(in, pos, pos + info->len, 0);
    return 0;
}

/* Lines in the open stream f from where it stands: its newlines, and one more for a last line without one. */
static int count_lines(FILE *f, unsigned char *buf, uint64_t *lines)
{
    size_t n;
    int last = '\n';
    while ((n = fread(buf, 1, CHUNK_SIZE, f)) > 0) {
        *lines += mf_count_newlines(buf, n);
        last = buf[n - 1];
    }
    *lines += last != '\n';
    return ferror(f) ? -1 : 0;
}

int mf_input_count_lines_left(mf_input *in, uint64_t *lines)
{
    *lines = 0;
    if (!in->all_regular)
        return -1;
    unsigned char *buf = malloc(CHUNK_SIZE);
    if (!buf)
        return -1;
    int rc = 0;
    for (int i = in->current; i < in->npaths && rc == 0; i++) {
        FILE *f = fopen(in->paths[i], "rb");
        if (!f) {
            rc = -1;
            break;
        }
        /* the open input from the first byte not yet cut (read-ahead excluded), the others whole */
        long at = i == in->current ? (long)(in->file_read - (in->chunk_len - in->chunk_pos)) : 0;
        rc = fseek(f, at, SEEK_SET) == 0 ? count_lines(f, buf, lines) : -1;
        fclose(f);
    }
    free(buf);
    return rc;
}

/* ---- tokens of one slice in memory (worker side) ---- */

void mf_scan_init(mf_scan *s, const unsigned char *p, size_t len, uint64_t line, int in_comment)
{
    s->p = p;
    s->len = len;
    s->pos = 0;
    s->line = line;
    s->in_comment = in_comment;
}

int mf_scan_next(mf_scan *s, const unsigned char **tok, size_t *toklen, uint64_t *tokline)
{
    const unsigned char *p = s->p;
    size_t i = s->pos, n = s->len;
    for (;;) {
        if (s->in_comment) {
            const unsigned char *nl = memchr(p + i, '\n', n - i);
            if (!nl) {
                s->pos = n;
                return 0;
            }
            i = (size_t)(nl - p) + 1;
            s->line++;
            s->in_comment = 0;
        }
        while (i < n && is_space(p[i])) {
            s->line += p[i] == '\n';
            i++;
        }
        if (i == n) {
            s->pos = n;
            return 0;
        }
        if (p[i] == '#') {
            s->in_comment = 1;
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && !is_space(p[i]) && p[i] != '#')
            i++;
        *tok = p + start;
        *toklen = i - start;
        *tokline = s->line;
        if (i < n) { /* consume the terminator */
            if (p[i] == '#')
                s->in_comment = 1;
            else
                s->line += p[i] == '\n';
            i++;
        }
        s->pos = i;
        return 1;
    }
}
