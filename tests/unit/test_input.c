/* The tokenizer: valid forms, every class of bad token with file:line messages, CRLF, comments, huge tokens. */
#define _GNU_SOURCE
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mf_input.h"
#include "test_util.h"

typedef struct scan {
    char numbers[8192];  /* valid numbers, space-separated, normalised */
    char errors[8192];   /* what was reported */
    uint64_t invalid;
} scan;

/* Writes `len` bytes to a temp file and tokenizes it. */
static void scan_bytes(const char *data, size_t len, scan *out, char *path, size_t pathlen)
{
    snprintf(path, pathlen, "/tmp/mf-unit-input-XXXXXX");
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    ck_assert(write(fd, data, len) == (ssize_t)len);
    close(fd);
    FILE *err = tmpfile();
    mf_input in;
    char msg[256];
    const char *paths[] = {path};
    ck_assert_int_eq(mf_input_open(&in, paths, 1, err, msg, sizeof msg), 0);
    mf_value v;
    mf_value_init(&v);
    mf_buf b;
    mf_buf_init(&b);
    int rc;
    while ((rc = mf_input_next(&in, &v, msg, sizeof msg)) == 1) {
        mf_value_put_dec(&b, &v);
        mf_buf_put_u8(&b, ' ');
    }
    ck_assert_int_eq(rc, 0);
    mf_buf_put_u8(&b, 0);
    snprintf(out->numbers, sizeof out->numbers, "%s", (char *)b.data);
    out->invalid = in.invalid;
    mf_input_close(&in);
    rewind(err);
    size_t n = fread(out->errors, 1, sizeof out->errors - 1, err);
    out->errors[n] = '\0';
    fclose(err);
    mf_buf_free(&b);
    mf_value_clear(&v);
}

static void scan_text(const char *text, scan *out, char *path, size_t pathlen)
{
    scan_bytes(text, strlen(text), out, path, pathlen);
}

START_TEST(valid_forms)
{
    scan s;
    char path[64];
    scan_text("12 007 +5 0 00 +0\t1\r\n\r\n  18446744073709551615 18446744073709551616\n"
              "000000000000000000000000000000123 # a comment 99\n#77\n8#9\n", &s, path, sizeof path);
    ck_assert_str_eq(s.numbers, "12 7 5 0 0 0 1 18446744073709551615 18446744073709551616 123 8 ");
    ck_assert_str_eq(s.errors, "");
    ck_assert_uint_eq(s.invalid, 0);
    unlink(path);
}
END_TEST

START_TEST(bad_tokens_named_with_line)
{
    scan s;
    char path[64];
    scan_text("1\nabc 2\n-5 3.14\r\n1e10 0x1F 12x\n+ ++1 4\n\xd9\xa3 5\n", &s, path, sizeof path);
    ck_assert_str_eq(s.numbers, "1 2 4 5 ");
    ck_assert_uint_eq(s.invalid, 9);
    char want[2048];
    snprintf(want, sizeof want,
             "mpifactor: %s:2: 'abc' is not a valid non-negative integer\n"
             "mpifactor: %s:3: '-5' is not a valid non-negative integer\n"
             "mpifactor: %s:3: '3.14' is not a valid non-negative integer\n"
             "mpifactor: %s:4: '1e10' is not a valid non-negative integer\n"
             "mpifactor: %s:4: '0x1F' is not a valid non-negative integer\n"
             "mpifactor: %s:4: '12x' is not a valid non-negative integer\n"
             "mpifactor: %s:5: '+' is not a valid non-negative integer\n"
             "mpifactor: %s:5: '++1' is not a valid non-negative integer\n"
             "mpifactor: %s:6: '\\xd9\\xa3' is not a valid non-negative integer\n",
             path, path, path, path, path, path, path, path, path);
    ck_assert_str_eq(s.errors, want);
    unlink(path);
}
END_TEST

START_TEST(nul_bytes_and_invalid_utf8)
{
    scan s;
    char path[64];
    const char data[] = "7 1\0002 \xff\xfe 9";
    scan_bytes(data, sizeof data - 1, &s, path, sizeof path);
    ck_assert_str_eq(s.numbers, "7 9 ");
    ck_assert_uint_eq(s.invalid, 2);
    ck_assert(strstr(s.errors, "'1\\x002'") != NULL);
    ck_assert(strstr(s.errors, "'\\xff\\xfe'") != NULL);
    unlink(path);
}
END_TEST

START_TEST(huge_tokens_cross_buffers)
{
    /* a 300000-digit number (crosses the 64 KiB read buffer several times) and a huge bad token */
    size_t digits = 300000;
    char *text = malloc(2 * digits + 100);
    size_t o = 0;
    text[o++] = '9';
    for (size_t i = 1; i < digits; i++)
        text[o++] = (char)('0' + i % 10);
    text[o++] = '\n';
    for (size_t i = 0; i < digits; i++)
        text[o++] = (char)('0' + i % 10);
    text[o++] = 'z';
    memcpy(text + o, "\n42", 3);
    o += 3; /* no newline at the end of the file */
    char path[64];
    snprintf(path, sizeof path, "/tmp/mf-unit-input-XXXXXX");
    int fd = mkstemp(path);
    ck_assert(write(fd, text, o) == (ssize_t)o);
    close(fd);
    FILE *err = tmpfile();
    mf_input in;
    char msg[256];
    const char *paths[] = {path};
    ck_assert_int_eq(mf_input_open(&in, paths, 1, err, msg, sizeof msg), 0);
    mf_value v;
    mf_value_init(&v);
    ck_assert_int_eq(mf_input_next(&in, &v, msg, sizeof msg), 1);
    ck_assert(v.is_big);
    char *dec = mpz_get_str(NULL, 10, v.z);
    ck_assert_uint_eq(strlen(dec), digits);
    free(dec);
    ck_assert_int_eq(mf_input_next(&in, &v, msg, sizeof msg), 1);
    ck_assert(!v.is_big && v.u == 42);
    ck_assert_int_eq(mf_input_next(&in, &v, msg, sizeof msg), 0);
    ck_assert_uint_eq(in.invalid, 1);
    ck_assert_uint_eq(in.bytes_total, o);
    mf_input_close(&in);
    rewind(err);
    char line[512];
    ck_assert(fgets(line, sizeof line, err) != NULL);
    /* head, ellipsis, tail with the offending 'z', length */
    ck_assert(strstr(line, ":2: '0123456789012345678901234567\xe2\x80\xa6"
                           "345678901234567890123456789z' (300001 characters) is not a valid non-negative integer\n") != NULL);
    fclose(err);
    mf_value_clear(&v);
    free(text);
    unlink(path);
}
END_TEST

START_TEST(long_bad_token_shows_head_tail_and_length)
{
    /* 80 nines then an 'x': the 'x' must be visible, with the length */
    char text[100];
    memset(text, '9', 80);
    memcpy(text + 80, "x\n", 3);
    scan s;
    char path[64];
    scan_text(text, &s, path, sizeof path);
    char want[512];
    snprintf(want, sizeof want,
             "mpifactor: %s:1: '%.28s\xe2\x80\xa6%.27sx' (81 characters) is not a valid non-negative integer\n",
             path, text, text);
    ck_assert_str_eq(s.errors, want);
    unlink(path);
}
END_TEST

START_TEST(token_display_limits_and_escapes)
{
    char out[MF_TOKEN_DISPLAY_SIZE];
    /* exactly 60 characters: shown whole */
    unsigned char t60[60];
    memset(t60, 'a', sizeof t60);
    mf_token_display(t60, sizeof t60, out, sizeof out);
    ck_assert_uint_eq(strlen(out), 62);
    ck_assert(out[0] == '\'' && out[61] == '\'');
    /* 61 characters: shortened */
    unsigned char t61[61];
    memset(t61, 'b', sizeof t61);
    t61[60] = 'c';
    mf_token_display(t61, sizeof t61, out, sizeof out);
    ck_assert_str_eq(out, "'bbbbbbbbbbbbbbbbbbbbbbbbbbbb\xe2\x80\xa6" "bbbbbbbbbbbbbbbbbbbbbbbbbbbc' (61 characters)");
    /* escapes are never cut in half: 30 bytes 0xff (4 characters each) then "12" */
    unsigned char esc[32];
    memset(esc, 0xff, 30);
    memcpy(esc + 30, "12", 2);
    mf_token_display(esc, sizeof esc, out, sizeof out);
    ck_assert_str_eq(out, "'\\xff\\xff\\xff\\xff\\xff\\xff\\xff\xe2\x80\xa6\\xff\\xff\\xff\\xff\\xff\\xff12' (32 characters)");
    /* a backslash is escaped, so a token cannot fake an escape */
    mf_token_display((const unsigned char *)"a\\x41", 5, out, sizeof out);
    ck_assert_str_eq(out, "'a\\x5cx41'");
    /* the largest rendering fits MF_TOKEN_DISPLAY_SIZE; smaller buffers stay NUL-terminated */
    size_t big = 1000000;
    unsigned char *huge = malloc(big);
    memset(huge, 0x01, big);
    mf_token_display(huge, big, out, sizeof out);
    ck_assert(strstr(out, "' (1000000 characters)") != NULL);
    for (size_t n = 1; n < 40; n++) {
        char small[40];
        memset(small, 'Q', sizeof small);
        mf_token_display(huge, big, small, n);
        ck_assert_uint_lt(strlen(small), n);
    }
    free(huge);
}
END_TEST

START_TEST(empty_and_missing_files)
{
    scan s;
    char path[64];
    scan_text("", &s, path, sizeof path);
    ck_assert_str_eq(s.numbers, "");
    ck_assert_str_eq(s.errors, "");
    /* two files: numbers continue across them, lines restart */
    const char *paths[] = {path, "/nonexistent/mf-file"};
    mf_input in;
    char msg[256];
    ck_assert_int_eq(mf_input_open(&in, paths, 2, stderr, msg, sizeof msg), -1);
    ck_assert_str_eq(msg, "/nonexistent/mf-file: No such file or directory");
    mf_input_close(&in);
    const char *dirs[] = {"/tmp"};
    ck_assert_int_eq(mf_input_open(&in, dirs, 1, stderr, msg, sizeof msg), -1);
    ck_assert_str_eq(msg, "/tmp: Is a directory");
    mf_input_close(&in);
    unlink(path);
}
END_TEST

/* Slices `text` (written to a temp file) with the given target; writes each slice's line count, then
   its first line number, as "lines@line " into out. */
static void slice_lines(const char *text, size_t target, char *out, size_t outlen)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/mf-unit-slice-XXXXXX");
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    ck_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    mf_input in;
    char msg[256];
    const char *paths[] = {path};
    ck_assert_int_eq(mf_input_open(&in, paths, 1, stderr, msg, sizeof msg), 0);
    mf_buf b;
    mf_buf_init(&b);
    mf_slice_info info;
    size_t o = 0;
    out[0] = '\0';
    while (mf_input_slice(&in, &b, target, 0, &info, msg, sizeof msg) == 1) {
        o += (size_t)snprintf(out + o, outlen - o, "%llu@%llu ", (unsigned long long)mf_count_newlines(b.data, b.len),
                              (unsigned long long)info.line);
        mf_buf_reset(&b);
    }
    mf_buf_free(&b);
    mf_input_close(&in);
    unlink(path);
}

START_TEST(slices_end_at_the_first_newline_from_the_target)
{
    /* 18-byte lines: a target of one line's length gives one line per slice, one byte more two lines,
       a target of 1 still a whole line; a slice never ends inside a line */
    const char *text = "10000000000000061\n10000000000000069\n10000000000000079\n";
    char got[256];
    slice_lines(text, 18, got, sizeof got);
    ck_assert_str_eq(got, "1@1 1@2 1@3 ");
    slice_lines(text, 19, got, sizeof got);
    ck_assert_str_eq(got, "2@1 1@3 ");
    slice_lines(text, 1, got, sizeof got);
    ck_assert_str_eq(got, "1@1 1@2 1@3 ");
    slice_lines(text, 36, got, sizeof got);
    ck_assert_str_eq(got, "2@1 1@3 ");
    slice_lines(text, 1000, got, sizeof got);
    ck_assert_str_eq(got, "3@1 ");
}
END_TEST

/* Tokens in len bytes of text at p by the workers' scanner, from the comment state in_comment. */
static uint64_t scan_count_in(const char *p, size_t len, int in_comment)
{
    mf_scan sc;
    mf_scan_init(&sc, (const unsigned char *)p, len, 1, in_comment);
    const unsigned char *tok;
    size_t toklen;
    uint64_t line, n = 0;
    while (mf_scan_next(&sc, &tok, &toklen, &line))
        n++;
    return n;
}

/* Tokens in a text by the workers' scanner (the reference for the master's count while slicing). */
static uint64_t scan_count(const char *text)
{
    return scan_count_in(text, strlen(text), 0);
}

/* Writes text to a new temp file named in path (64 bytes). */
static void temp_file(const char *text, char *path)
{
    snprintf(path, 64, "/tmp/mf-unit-count-XXXXXX");
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    ck_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
}

/* Cuts text (written to a file) by offset with target bytes; checks that the slices tile the file, end at line
   ends (or, in a longer line, where no token is cut), and hold every token once when scanned from their own
   comment state. Returns the slices; *read_per_slice gets the bytes mf_input_cut read per slice. */
static uint64_t cut_and_check(const char *text, size_t target, double *read_per_slice)
{
    char path[64];
    temp_file(text, path);
    mf_input in;
    char msg[256];
    const char *paths[] = {path};
    ck_assert_int_eq(mf_input_open(&in, paths, 1, stderr, msg, sizeof msg), 0);
    size_t len = strlen(text);
    uint64_t slices = 0, tokens = 0, at = 0;
    mf_slice_info info;
    int rc;
    while ((rc = mf_input_cut(&in, target, &info, msg, sizeof msg)) == 1) {
        ck_assert_uint_eq(info.offset, at);
        ck_assert(info.len > 0 && info.line == 0);
        ck_assert(info.head_len > 0 && memcmp(info.head, text + at, info.head_len) == 0);
        ck_assert(memcmp(info.tail, text + at + info.len - info.tail_len, info.tail_len) == 0);
        at += info.len;
        mf_scan sc;
        mf_scan_init(&sc, (const unsigned char *)text + info.offset, (size_t)info.len, 1, info.in_comment);
        const unsigned char *tok;
        size_t toklen;
        uint64_t line;
        while (mf_scan_next(&sc, &tok, &toklen, &line)) {
            const unsigned char *after = tok + toklen; /* a token is never cut: what follows it ends it */
            ck_assert(after == (const unsigned char *)text + len || isspace(*after) || *after == '#');
            tokens++;
        }
        slices++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(at, len);
    ck_assert_uint_eq(tokens, scan_count(text));
    *read_per_slice = (double)in.cut_read / (double)slices;
    mf_input_close(&in);
    unlink(path);
    return slices;
}

START_TEST(cut_by_offset_reads_only_around_the_cut)
{
    /* the same 4000 numbers in lines of about 12 bytes and in lines 16 times as long (a comment pads them):
       cut by offset into slices of about 200 lines, rank 0 reads at most a block per slice for both (around
       the cut: the newline, the slice's last bytes, the next one's first), not the slice's bytes */
    size_t cap = 4000 * 220 + 1;
    char *a = malloc(cap), *b = malloc(cap);
    size_t la = 0, lb = 0;
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 4000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned long long v = x % 100000000000u;
        la += (size_t)snprintf(a + la, cap - la, "%llu\n", v);
        lb += (size_t)snprintf(b + lb, cap - lb, "%llu #%0*d\n", v, 180, 0);
    }
    double ra, rb;
    uint64_t na = cut_and_check(a, la / 20, &ra), nb = cut_and_check(b, lb / 20, &rb);
    ck_assert(na >= 18 && na <= 21 && nb >= 18 && nb <= 21);
    ck_assert_msg(ra <= 4096 + 128 && rb <= 4096 + 128, "read per slice %.0f and %.0f bytes", ra, rb);
    ck_assert_msg(rb < (double)lb / (double)nb / 4, "read per slice %.0f bytes of %.0f", rb, (double)lb / (double)nb);
    /* one line of 2.5 MB (past the allowance): cut after whitespace or inside its comment, no token cut */
    size_t lc = 0, capc = 3u << 20;
    char *c = malloc(capc);
    lc += (size_t)snprintf(c + lc, capc - lc, "7 8\n");
    for (int i = 0; lc < (5u << 19); i++) {
        lc += (size_t)snprintf(c + lc, capc - lc, "%d ", i);
        if (i == 150000)
            lc += (size_t)snprintf(c + lc, capc - lc, "#");
    }
    lc += (size_t)snprintf(c + lc, capc - lc, "\n12 13\n");
    double rc_;
    ck_assert_uint_ge(cut_and_check(c, 1000, &rc_), 3);
    free(a);
    free(b);
    free(c);
}
END_TEST

/* Cuts text into blocks of about block_target bytes, then each block again through mf_input_window on a second
   input (as a node leader does) into slices of about target bytes; every other block gives up the back half of
   what is left after its first slice (mf_input_window_split, a leader handing back), which is cut through a
   window of its own (*given_up_out: how many gave some up). The slices tile each block in order, each starts in the comment state a cut of the whole
   file would give it, and scanned in those states they hold every token of the text once. Returns the slices. */
static uint64_t cut_in_windows(const char *text, size_t block_target, size_t target, uint64_t *given_up_out)
{
    char path[64];
    temp_file(text, path);
    const char *paths[] = {"-", path}; /* input 1: a window may name any input */
    char msg[256];
    mf_input whole, win;
    ck_assert_int_eq(mf_input_open(&whole, paths + 1, 1, stderr, msg, sizeof msg), 0);
    ck_assert_int_eq(mf_input_open(&win, paths, 2, stderr, msg, sizeof msg), 0);
    win.bytes_total = 0;
    uint64_t slices = 0, tokens = 0, blocks = 0, bytes = 0, given_up = 0;
    mf_slice_info b, s, back;
    int rc;
    while ((rc = mf_input_cut(&whole, block_target, &b, msg, sizeof msg)) == 1) {
        mf_slice_info part = b;
        for (int round = 0; round < 2; round++) { /* the block, then the part it gave up (if any) */
            ck_assert_int_eq(mf_input_window(&win, 1, part.offset, part.len, part.in_comment, msg, sizeof msg), 0);
            uint64_t at = part.offset, end = part.offset + part.len;
            int first = 1, split = 0;
            while ((rc = mf_input_cut(&win, target, &s, msg, sizeof msg)) == 1) {
                ck_assert_uint_eq(s.file, 1);
                ck_assert_uint_eq(s.offset, at);
                ck_assert(s.len > 0 && s.offset + s.len <= end);
                if (first)
                    ck_assert_int_eq(s.in_comment, part.in_comment);
                first = 0;
                tokens += scan_count_in(text + s.offset, (size_t)s.len, s.in_comment);
                at += s.len;
                slices++;
                if (round == 0 && blocks % 2 == 0 && !split && at < end) {
                    int got = mf_input_window_split(&win, &back, msg, sizeof msg); /* half of end - at */
                    ck_assert_int_ge(got, 0);
                    if (got == 1) {
                        ck_assert(back.offset >= at + (end - at) / 2 && back.offset + back.len == end);
                        end = back.offset;
                        given_up++;
                    }
                    split = 1;
                }
            }
            ck_assert_int_eq(rc, 0);
            ck_assert_uint_eq(at, end); /* the part, whole */
            if (end == part.offset + part.len)
                break; /* nothing given up */
            part = back;
        }
        bytes += b.len;
        blocks++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(bytes, strlen(text));
    ck_assert_uint_eq(win.bytes_total, bytes); /* what the windows added, less what they gave up, plus that again */
    ck_assert_uint_eq(tokens, scan_count(text));
    ck_assert_uint_gt(slices, blocks);
    *given_up_out = given_up;
    mf_input_close(&whole);
    mf_input_close(&win);
    unlink(path);
    return slices;
}

START_TEST(windows_cut_again_like_the_file)
{
    /* short lines, lines padded by comments, and one line of 2.5 MB whose comment spans block ends */
    size_t cap = 3u << 20, la = 0, lb = 0, lc = 0;
    char *a = malloc(cap), *b = malloc(cap), *c = malloc(cap);
    for (int i = 0; i < 3000; i++) {
        la += (size_t)snprintf(a + la, cap - la, "%lld\n", 1000003LL * i + 7);
        lb += (size_t)snprintf(b + lb, cap - lb, "%d #%0*d 5\n", i, 100 + i % 50, 0);
    }
    lc += (size_t)snprintf(c + lc, cap - lc, "7 8\n");
    for (int i = 0; lc < (5u << 19); i++) {
        lc += (size_t)snprintf(c + lc, cap - lc, "%d ", i);
        if (i == 150000)
            lc += (size_t)snprintf(c + lc, cap - lc, "#");
    }
    lc += (size_t)snprintf(c + lc, cap - lc, "\n12 13\n");
    uint64_t given_up;
    ck_assert_uint_ge(cut_in_windows(a, la / 7, 300, &given_up), 20);
    ck_assert_uint_ge(given_up, 3);
    ck_assert_uint_ge(cut_in_windows(b, lb / 5, 2000, &given_up), 20);
    ck_assert_uint_ge(given_up, 2);
    ck_assert_uint_ge(cut_in_windows(c, 1u << 20, 1000, &given_up), 3);
    free(a);
    free(b);
    free(c);
}
END_TEST

/* Splits text's file at k offsets spread evenly (then at `more` further offsets of a fixed pseudo-random
   sequence), each range found alone by mf_input_lines_between as a leader does: the slices tile the file end to
   end, each starts at a line start with its head and tail bytes those of the text, and scanned from the start of
   a line they hold every token once. Then rank 0's side: mf_input_cut_lines_before to the end of range j, and
   mf_input_cut goes on right after it. Returns the empty slices. */
static int lines_between_tile(const char *text, int k)
{
    char path[64], msg[256];
    temp_file(text, path);
    const char *paths[] = {path};
    size_t size = strlen(text);
    mf_input in;
    ck_assert_int_eq(mf_input_open(&in, paths, 1, stderr, msg, sizeof msg), 0);
    uint64_t at = 0, tokens = 0;
    int empty = 0;
    for (int j = 0; j < k; j++) {
        mf_slice_info s;
        uint64_t from = size * (uint64_t)j / (uint64_t)k, to = size * (uint64_t)(j + 1) / (uint64_t)k;
        ck_assert_int_eq(mf_input_lines_between(&in, from, to, &s, msg, sizeof msg), 0);
        ck_assert_uint_eq(s.offset, at);
        ck_assert(s.offset == 0 || s.offset == size || text[s.offset - 1] == '\n');
        ck_assert(s.file == 0 && s.line == 0 && s.in_comment == 0);
        ck_assert(s.head_len == (s.len < MF_SLICE_END_BYTES ? s.len : MF_SLICE_END_BYTES));
        ck_assert(s.tail_len == s.head_len);
        ck_assert_mem_eq(s.head, text + s.offset, s.head_len);
        ck_assert_mem_eq(s.tail, text + s.offset + s.len - s.tail_len, s.tail_len);
        tokens += scan_count_in(text + s.offset, (size_t)s.len, 0);
        bool starts = false; /* told directly: some line start in [from, to) */
        for (uint64_t p = from; p < to && !starts; p++)
            starts = p == 0 || text[p - 1] == '\n';
        ck_assert(starts == (s.len > 0));
        empty += s.len == 0;
        at += s.len;
    }
    ck_assert_uint_eq(at, size);
    ck_assert_uint_eq(tokens, scan_count(text));
    /* rank 0: the lines before the end of range k / 2, then its usual cuts from there */
    mf_slice_info first, next;
    uint64_t to = size * (uint64_t)(k / 2 + 1) / (uint64_t)k, end;
    ck_assert_int_eq(mf_input_cut_lines_before(&in, to, &first, msg, sizeof msg), 0);
    ck_assert_uint_eq(first.offset, 0);
    end = first.len;
    ck_assert(end >= (to < size ? to : size) || end == size); /* the first line start at or after `to` */
    ck_assert(end == size || text[end - 1] == '\n');
    int rc;
    while ((rc = mf_input_cut(&in, 100, &next, msg, sizeof msg)) == 1) {
        ck_assert_uint_eq(next.offset, end);
        end += next.len;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(end, size);
    mf_input_close(&in);
    unlink(path);
    return empty;
}

START_TEST(lines_between_offsets_tile_a_file)
{
    size_t cap = 1u << 20, la = 0, lb = 0, lc = 0;
    char *a = malloc(cap), *b = malloc(cap), *c = malloc(cap);
    for (int i = 0; i < 3000; i++) { /* short lines; comments (a '#' line start inside one is no line start) */
        la += (size_t)snprintf(a + la, cap - la, "%lld\n", 1000003LL * i + 7);
        lb += (size_t)snprintf(b + lb, cap - lb, "%d #%0*d 5 # 6\n", i, i % 90, 0);
    }
    /* one line of about 200 KB between short ones, and no newline at the end */
    lc += (size_t)snprintf(c + lc, cap - lc, "7 8\n9\n");
    for (int i = 0; lc < 200000; i++)
        lc += (size_t)snprintf(c + lc, cap - lc, "%d ", i);
    lc += (size_t)snprintf(c + lc, cap - lc, "\n12 13\n14");
    for (int k = 1; k <= 64; k *= 2) {
        ck_assert_int_eq(lines_between_tile(a, k), 0);
        ck_assert_int_eq(lines_between_tile(b, k), 0);
        if (k >= 4) /* ranges inside the long line hold no line start */
            ck_assert_int_gt(lines_between_tile(c, k), 0);
        else
            ck_assert_int_eq(lines_between_tile(c, k), 0);
    }
    ck_assert_int_eq(lines_between_tile("", 3), 3);
    ck_assert_int_eq(lines_between_tile("5", 2), 1);
    free(a);
    free(b);
    free(c);
}
END_TEST

START_TEST(counting_tokens_like_the_scanner)
{
    /* random texts (the run's seed) of numbers, bad tokens, every kind of space, comments (also right after a token and
       across slice and 64 KiB read boundaries) or none (the vector path), two files where the first ends in a token */
    static const char *const pieces[] = {"12", "18446744073709551617", "x1", " ", "  ", "\n", "\r\n", "\t", "\v",
                                         "\f", "999999999999", "#", "# note 5 6\n", "#7\n"};
    const size_t no_comment = 11; /* pieces before the first '#' (odd rounds: no comment at all) */
    size_t cap = 200000;
    char *text[2] = {malloc(cap), malloc(cap)};
    ck_assert(text[0] && text[1]);
    for (int round = 0; round < 6; round++) {
        for (int f = 0; f < 2; f++) {
            size_t len = 0, want = (size_t)mf_test_range(0, round < 3 ? 300 : 150000);
            while (len < want) {
                const char *pc = pieces[mf_test_range(0, round % 2 ? no_comment - 1 : sizeof pieces / sizeof pieces[0] - 1)];
                size_t k = strlen(pc);
                memcpy(text[f] + len, pc, k);
                len += k;
            }
            text[f][len] = '\0';
        }
        uint64_t expect = scan_count(text[0]) + scan_count(text[1]);
        char path[2][64];
        temp_file(text[0], path[0]);
        temp_file(text[1], path[1]);
        static const size_t targets[] = {1, 7, 100, 70000, 70000};
        uint64_t lines[5] = {0};
        for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
            mf_input in;
            char msg[256];
            const char *paths[] = {path[0], path[1]};
            ck_assert_int_eq(mf_input_open(&in, paths, 2, stderr, msg, sizeof msg), 0);
            in.count_tokens = t < 4; /* the last round: not counted, the same slices */
            mf_input_count_ahead(&in, t == 0 ? 0 : UINT64_MAX); /* the whole input counted before the run */
            ck_assert(t == 0 ? !in.counted_ahead || in.bytes_total == 0 : in.counted_ahead && in.tokens_ahead == expect);
            mf_buf b;
            mf_buf_init(&b);
            mf_slice_info info;
            int rc;
            while ((rc = mf_input_slice(&in, targets[t] == 7 ? NULL : &b, targets[t], targets[t] == 100 ? 1 : 0, &info,
                                        msg, sizeof msg)) == 1) {
                lines[t] += info.lines;
                mf_buf_reset(&b);
            }
            ck_assert_int_eq(rc, 0);
            if (t == 4) {
                ck_assert_uint_eq(in.tokens, 0);
                ck_assert_uint_eq(lines[4], lines[3]);
                mf_buf_free(&b);
                mf_input_close(&in);
                continue;
            }
            ck_assert_msg(in.tokens == expect, "round %d target %zu: %llu tokens counted, %llu expected", round,
                          targets[t], (unsigned long long)in.tokens, (unsigned long long)expect);
            mf_buf_free(&b);
            mf_input_close(&in);
        }
        unlink(path[0]);
        unlink(path[1]);
    }
    free(text[0]);
    free(text[1]);
}
END_TEST

START_TEST(tokens_after_a_resumed_prefix)
{
    /* a checkpoint skips 3 numbers (mf_input_skip): the slices then count only the 4 after them */
    char path[64];
    temp_file("2 3 #c 4\n5\n6 7 8", path);
    mf_input in;
    char msg[256];
    const char *paths[] = {path};
    ck_assert_int_eq(mf_input_open(&in, paths, 1, stderr, msg, sizeof msg), 0);
    ck_assert_int_eq(mf_input_skip(&in, 2, msg, sizeof msg), 0);
    mf_slice_info info;
    while (mf_input_slice(&in, NULL, 2, 0, &info, msg, sizeof msg) == 1)
        ;
    ck_assert_uint_eq(in.tokens, 4); /* the comment holds the 4: 5, 6, 7, 8 */
    mf_input_close(&in);
    unlink(path);
}
END_TEST

START_TEST(lines_of_slices_and_lines_left)
{
    /* the lines left, counted ahead, match what line slices then take: a last line without its newline and
       the rest of a line after a resumed prefix count as one line each */
    char a[64], b[64];
    temp_file("2 3\n4\n\n# c\n5", a);
    temp_file("6\n7\n", b);
    const char *paths[] = {a, b};
    mf_input in;
    char msg[256];
    uint64_t lines = 0;
    ck_assert_int_eq(mf_input_open(&in, paths, 2, stderr, msg, sizeof msg), 0);
    ck_assert_int_eq(mf_input_count_lines_left(&in, &lines), 0);
    ck_assert_uint_eq(lines, 7);
    mf_slice_info info;
    uint64_t sliced = 0;
    int slices = 0;
    while (mf_input_slice(&in, NULL, 0, 3, &info, msg, sizeof msg) == 1) {
        sliced += info.lines;
        slices++;
    }
    ck_assert_uint_eq(sliced, 7);
    ck_assert_int_eq(slices, 3); /* 3 + 2 lines of the first file, then the second */
    ck_assert_int_eq(mf_input_count_lines_left(&in, &lines), 0);
    ck_assert_uint_eq(lines, 0);
    mf_input_close(&in);
    ck_assert_int_eq(mf_input_open(&in, paths, 2, stderr, msg, sizeof msg), 0);
    ck_assert_int_eq(mf_input_skip(&in, 1, msg, sizeof msg), 0); /* "2": the rest " 3" is a line */
    ck_assert_int_eq(mf_input_count_lines_left(&in, &lines), 0);
    ck_assert_uint_eq(lines, 7);
    ck_assert_int_eq(mf_input_skip(&in, 2, msg, sizeof msg), 0); /* 3, 4 */
    ck_assert_int_eq(mf_input_count_lines_left(&in, &lines), 0);
    ck_assert_uint_eq(lines, 5);
    sliced = 0;
    while (mf_input_slice(&in, NULL, 1, 0, &info, msg, sizeof msg) == 1) /* byte-sized slices count too */
        sliced += info.lines;
    ck_assert_uint_eq(sliced, 5);
    mf_input_close(&in);
    const char *pipe_paths[] = {"-"}; /* standard input cannot be counted ahead */
    ck_assert_int_eq(mf_input_open(&in, pipe_paths, 1, stderr, msg, sizeof msg), 0);
    ck_assert_int_eq(mf_input_count_lines_left(&in, &lines), -1);
    mf_input_close(&in);
    unlink(a);
    unlink(b);
}
END_TEST

START_TEST(count_newlines_any_length_and_density)
{
    /* lengths around the vector width and past 255 vector steps (where the lane counters are summed),
       any start alignment, newline densities from none to all, and bytes one bit away from '\n' */
    static unsigned char buf[9000];
    const unsigned char near[] = {'\n', 0x0b, 0x08, 0x8a, 0x4a, 0x0e, 0x02, 0xff};
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = iter < 40 ? (size_t)iter : (size_t)mf_test_range(0, 8500);
        size_t off = (size_t)mf_test_range(0, 15);
        unsigned density = (unsigned)mf_test_range(0, 8); /* newline probability density / 8 */
        uint64_t want = 0;
        for (size_t i = 0; i < len; i++) {
            bool nl = mf_test_range(1, 8) <= density;
            buf[off + i] = nl ? '\n' : near[mf_test_range(1, sizeof near - 1)];
            want += nl;
        }
        ck_assert_uint_eq(mf_count_newlines(buf + off, len), want);
    }
    memset(buf, '\n', sizeof buf);
    ck_assert_uint_eq(mf_count_newlines(buf, sizeof buf), sizeof buf);
}
END_TEST

START_TEST(parse_token_classes)
{
    mf_value v;
    mf_value_init(&v);
    mpz_t scratch;
    mpz_init(scratch);
    const char *bad[] = {"", "+", "-1", "1-", "1.0", "1e3", "0x10", "abc", "12a", " 1", "\xef\xbc\x91", "++2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!mf_parse_token((const unsigned char *)bad[i], strlen(bad[i]), &v, scratch), "%s", bad[i]);
    ck_assert(mf_parse_token((const unsigned char *)"+0018446744073709551616", 23, &v, scratch));
    ck_assert(v.is_big && mpz_cmp_ui(v.z, 0) > 0);
    ck_assert(mf_parse_token((const unsigned char *)"18446744073709551615", 20, &v, scratch));
    ck_assert(!v.is_big && v.u == UINT64_MAX);
    ck_assert(mf_parse_token((const unsigned char *)"99999999999999999999", 20, &v, scratch));
    ck_assert(v.is_big);
    mpz_clear(scratch);
    mf_value_clear(&v);
}
END_TEST

/* A regular file that ends at another size than it had when opened was cut or grown under the run: named as
   changed, with its sizes then and now. */
START_TEST(a_file_cut_or_grown_while_read)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/mf-unit-input-XXXXXX");
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    for (int i = 0; i < 100000; i++) /* 200000 bytes: more than one read */
        ck_assert(write(fd, "7\n", 2) == 2);
    close(fd);
    const char *paths[] = {path};
    char msg[256], want[256];
    mf_value v;
    mf_value_init(&v);
    for (int grow = 0; grow <= 1; grow++) {
        mf_input in;
        ck_assert_int_eq(mf_input_open(&in, paths, 1, stderr, msg, sizeof msg), 0);
        ck_assert_int_eq(mf_input_next(&in, &v, msg, sizeof msg), 1);
        FILE *f = fopen(path, grow ? "a" : "r+");
        ck_assert_ptr_nonnull(f);
        if (grow)
            fputs("11\n", f);
        else
            ck_assert_int_eq(ftruncate(fileno(f), 10), 0);
        fclose(f);
        int rc;
        while ((rc = mf_input_next(&in, &v, msg, sizeof msg)) == 1)
            ;
        ck_assert_int_eq(rc, -1);
        snprintf(want, sizeof want, "%s changed during the run (200000 bytes, now %d)", path, grow ? 200003 : 10);
        ck_assert_str_eq(msg, want);
        mf_input_close(&in);
        if (!grow) { /* restored: read to the end as before */
            f = fopen(path, "w");
            for (int i = 0; i < 100000; i++)
                fputs("7\n", f);
            fclose(f);
        }
    }
    mf_value_clear(&v);
    unlink(path);
}
END_TEST

/* The first units' line length comes from a small sample of the input (a whole block's first read cost rank 0
   up to 0.8 ms of its start), a longer one only for a line longer than the sample; the numbers then read on
   from where the sample ended, none lost or doubled. */
START_TEST(line_length_from_a_sample)
{
    char path[64];
    const char *paths[] = {path};
    char msg[256];
    mf_value v;
    mf_value_init(&v);
    for (int long_first = 0; long_first <= 1; long_first++) {
        snprintf(path, sizeof path, "/tmp/mf-unit-input-XXXXXX");
        int fd = mkstemp(path);
        ck_assert(fd >= 0);
        FILE *f = fdopen(fd, "w");
        ck_assert_ptr_nonnull(f);
        if (long_first) { /* 10000 digits, then 100 short lines: 10201 bytes, 101 lines */
            for (int i = 0; i < 10000; i++)
                fputc('1', f);
            fputc('\n', f);
            for (int i = 0; i < 100; i++)
                fputs("7\n", f);
        } else { /* 20000 lines of 6 bytes: 120000, beyond a block */
            for (int i = 0; i < 20000; i++)
                fprintf(f, "%05d\n", 10000 + i);
        }
        fclose(f);
        mf_input in;
        ck_assert_int_eq(mf_input_open(&in, paths, 1, stderr, msg, sizeof msg), 0);
        /* bytes over newlines: 10201 / 101, and 4096 / 682 */
        ck_assert(fabs(mf_input_line_length(&in) - (long_first ? 101.0 : 6.0)) < 0.01);
        ck_assert_uint_eq(in.bytes_read, long_first ? 10201 : 4096); /* the sample; all of a short file */
        uint64_t count = 0, sum = 0;
        int big = 0, rc;
        while ((rc = mf_input_next(&in, &v, msg, sizeof msg)) == 1) {
            count++;
            if (v.is_big)
                big++;
            else
                sum += v.u;
        }
        ck_assert_int_eq(rc, 0);
        if (long_first) {
            ck_assert_uint_eq(count, 101);
            ck_assert_int_eq(big, 1);
            ck_assert_uint_eq(sum, 700);
        } else {
            ck_assert_uint_eq(count, 20000);
            ck_assert_uint_eq(sum, 20000 * 10000 + (uint64_t)19999 * 20000 / 2);
        }
        mf_input_close(&in);
        unlink(path);
    }
    mf_value_clear(&v);
}
END_TEST

Suite *input_suite(void)
{
    Suite *s = suite_create("input");
    TCase *tc = tcase_create("input");
    tcase_add_test(tc, valid_forms);
    tcase_add_test(tc, bad_tokens_named_with_line);
    tcase_add_test(tc, nul_bytes_and_invalid_utf8);
    tcase_add_test(tc, huge_tokens_cross_buffers);
    tcase_add_test(tc, long_bad_token_shows_head_tail_and_length);
    tcase_add_test(tc, token_display_limits_and_escapes);
    tcase_add_test(tc, empty_and_missing_files);
    tcase_add_test(tc, a_file_cut_or_grown_while_read);
    tcase_add_test(tc, count_newlines_any_length_and_density);
    tcase_add_test(tc, slices_end_at_the_first_newline_from_the_target);
    tcase_add_test(tc, parse_token_classes);
    tcase_add_test(tc, counting_tokens_like_the_scanner);
    tcase_add_test(tc, cut_by_offset_reads_only_around_the_cut);
    tcase_add_test(tc, windows_cut_again_like_the_file);
    tcase_add_test(tc, lines_between_offsets_tile_a_file);
    tcase_add_test(tc, tokens_after_a_resumed_prefix);
    tcase_add_test(tc, lines_of_slices_and_lines_left);
    tcase_add_test(tc, line_length_from_a_sample);
    suite_add_tcase(s, tc);
    return s;
}
