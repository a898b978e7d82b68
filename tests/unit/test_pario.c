/* --parallel-io pieces without MPI: units by reference and held results in the codec, slices cut without
   copying, the worker's reads and placements, the placement ledger, and the background writer. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mf_codec.h"
#include "mf_input.h"
#include "mf_ledger.h"
#include "mf_pario.h"
#include "mf_writer.h"
#include "test_util.h"

/* Writes len bytes to a new temporary file; returns its path (static storage per slot). */
static const char *temp_file(int slot, const void *data, size_t len)
{
    static char paths[4][64];
    snprintf(paths[slot], sizeof paths[slot], "/tmp/mf-test-pario-%d-%d", (int)getpid(), slot);
    FILE *f = fopen(paths[slot], "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return paths[slot];
}

/* Reads a whole file into b. */
static void slurp(const char *path, mf_buf *b)
{
    mf_buf_reset(b);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        mf_buf_put(b, chunk, n);
    fclose(f);
}

START_TEST(ledger_durable_prefix)
{
    mf_ledger l;
    ck_assert_int_eq(mf_ledger_init(&l, 4), 0);
    uint64_t n, b;
    mf_ledger_durable(&l, 10, 100, &n, &b);
    ck_assert(n == 10 && b == 100); /* nothing placed: everything written is durable */
    ck_assert_int_eq(mf_ledger_place(&l, 1, 10, 100), 0); /* rank 1's first */
    ck_assert_int_eq(mf_ledger_place(&l, 2, 20, 200), 0); /* rank 2's first */
    ck_assert_int_eq(mf_ledger_place(&l, 1, 30, 300), 0); /* rank 1's second */
    mf_ledger_durable(&l, 40, 400, &n, &b);
    ck_assert(n == 10 && b == 100);
    ck_assert_int_eq(mf_ledger_confirm(&l, 2, 1), 0); /* out of order: the head is still rank 1's */
    mf_ledger_durable(&l, 40, 400, &n, &b);
    ck_assert(n == 10 && b == 100);
    ck_assert_int_eq(mf_ledger_confirm(&l, 1, 1), 0);
    mf_ledger_durable(&l, 40, 400, &n, &b);
    ck_assert(n == 30 && b == 300);
    ck_assert_int_eq(mf_ledger_confirm(&l, 1, 3), -1); /* more than it was sent */
    ck_assert_int_eq(mf_ledger_confirm(&l, 0, 1), -1); /* rank 0 holds nothing */
    ck_assert_int_eq(mf_ledger_place(&l, 4, 0, 0), -1);
    ck_assert_int_eq(mf_ledger_confirm(&l, 1, 2), 0);
    mf_ledger_durable(&l, 40, 400, &n, &b);
    ck_assert(n == 40 && b == 400);
    /* many placements (the ring grows) confirmed in random order per rank */
    uint64_t sent[4] = {0};
    for (uint64_t i = 0; i < 1000; i++) {
        int r = (int)mf_test_range(1, 3);
        ck_assert_int_eq(mf_ledger_place(&l, r, 1000 + i, 10000 + 10 * i), 0);
        sent[r]++;
    }
    ck_assert_int_eq(mf_ledger_confirm(&l, 3, sent[3]), 0);
    ck_assert_int_eq(mf_ledger_confirm(&l, 2, sent[2]), 0);
    mf_ledger_durable(&l, 5000, 50000, &n, &b);
    ck_assert(n < 5000 && b < 50000); /* rank 1's are not confirmed */
    mf_ledger_confirm_all(&l);
    mf_ledger_durable(&l, 5000, 50000, &n, &b);
    ck_assert(n == 5000 && b == 50000);
    mf_ledger_free(&l);
}
END_TEST

START_TEST(codec_ref_and_held_results)
{
    mf_buf b, out;
    mf_buf_init(&b);
    mf_buf_init(&out);
    mf_text_ref r = {.id = 77, .file = 2, .line = 12345, .in_comment = 1, .offset = 1u << 20, .len = 4096,
                     .check = 0x0123456789abcdefULL};
    mf_text_ref_put(&b, &r);
    mf_text_unit_set_hold(&b);
    mf_text_ref got;
    ck_assert_int_eq(mf_text_ref_read(&b, &got), 0);
    ck_assert(got.id == 77 && got.file == 2 && got.line == 12345 && got.in_comment && got.offset == (1u << 20) &&
              got.len == 4096 && got.check == r.check && got.hold_output);
    for (size_t cut = 0; cut < b.len; cut++) { /* every truncation is refused */
        mf_buf t = b;
        t.len = cut;
        ck_assert_int_eq(mf_text_ref_read(&t, &got), -1);
    }
    /* a text unit marked to hold: decoded with hold_output set */
    mf_text_unit_begin(&b, 5, 0, 1, 0);
    mf_buf_put_str(&b, "12 13\n");
    mf_text_unit_set_hold(&b);
    mf_unit u;
    mf_value c;
    mf_value_init(&c);
    ck_assert_int_eq(mf_unit_read(&b, &u, &c), 0);
    ck_assert(u.kind == MF_UNIT_TEXT && u.hold_output && !u.in_comment && u.len == 6);
    /* a finished text result with messages: detached, the rest of the message is intact */
    mf_buf msgs;
    mf_buf_init(&msgs);
    mf_buf_put_str(&msgs, "mpifactor: f:2: 'x' is not a valid non-negative integer\n");
    mf_text_result_begin(&b, 9);
    mf_buf_put_str(&b, "12: 2 2 3\n13: 13\n");
    mf_text_result_end(&b, 1, 40, 0, 0, &msgs, 2, 1, 0, 0, 99, 0.5, NULL, 0, 0, 0);
    ck_assert(!mf_result_is_held(&b));
    mf_text_result_detach(&b, 3, &out);
    ck_assert(mf_result_is_held(&b));
    ck_assert_uint_eq(out.len, 17);
    ck_assert_int_eq(memcmp(out.data, "12: 2 2 3\n13: 13\n", 17), 0);
    mf_result_info ri;
    ck_assert_int_eq(mf_result_read(&b, &ri, NULL), 0);
    ck_assert(ri.kind == MF_UNIT_TEXT && ri.held && ri.holder == 3 && ri.out == NULL && ri.out_len == 17);
    ck_assert(ri.id == 9 && ri.file == 1 && ri.bytes == 40 && ri.numbers == 2 && ri.invalid == 1 && ri.candidates == 99);
    ck_assert(ri.msgs_len == msgs.len && memcmp(ri.msgs, msgs.data, msgs.len) == 0);
    ck_assert(!ri.escalated);
    for (size_t cut = 0; cut < b.len; cut++) {
        mf_buf t = b;
        t.len = cut;
        ck_assert_int_eq(mf_result_read(&t, &ri, NULL), -1);
    }
    mf_buf_free(&msgs);
    mf_value_clear(&c);
    mf_buf_free(&b);
    mf_buf_free(&out);
}
END_TEST

/* Random input text: numbers, comments, CRLF, blank lines and some long lines. */
static void random_text(mf_buf *t, size_t bytes)
{
    while (t->len < bytes) {
        switch (mf_test_range(0, 9)) {
        case 0: mf_buf_put_str(t, "# a comment 12 34\n"); break;
        case 1: mf_buf_put_str(t, "\r\n"); break;
        case 2:
            for (int i = (int)mf_test_range(100, 3000); i > 0; i--)
                mf_buf_put_u8(t, (unsigned)('0' + i % 10));
            mf_buf_put_u8(t, '\n');
            break;
        default:
            mf_buf_put_dec(t, mf_test_rand() >> mf_test_range(0, 63));
            mf_buf_put_u8(t, mf_test_range(0, 3) ? '\n' : ' ');
        }
    }
}

START_TEST(slices_by_reference_match_copied_slices)
{
    mf_buf text, a, resolved;
    mf_buf_init(&text);
    mf_buf_init(&a);
    mf_buf_init(&resolved);
    random_text(&text, 300000);
    const char *path = temp_file(0, text.data, text.len);
    const char *const paths[] = {path};
    mf_input copied, cut;
    char err[256];
    ck_assert_int_eq(mf_input_open(&copied, paths, 1, stderr, err, sizeof err), 0);
    ck_assert_int_eq(mf_input_open(&cut, paths, 1, stderr, err, sizeof err), 0);
    ck_assert(cut.all_regular);
    mf_config cfg = {.inputs = paths, .ninputs = 1, .output = "/nonexistent"};
    mf_pario p;
    ck_assert_int_eq(mf_pario_init(&p, &cfg, 1), 0);
    size_t total = 0;
    for (uint64_t id = 0;; id++) {
        size_t target = (size_t)mf_test_range(1, 20000);
        mf_slice_info ia, ib;
        mf_text_unit_begin(&a, 0, 0, 0, 0);
        int ra = mf_input_slice(&copied, &a, target, 0, &ia, err, sizeof err);
        int rb = mf_input_slice(&cut, NULL, target, 0, &ib, err, sizeof err);
        ck_assert_int_eq(ra, rb);
        if (ra == 0)
            break;
        mf_text_unit_set_header(&a, id, ia.file, ia.line, ia.in_comment);
        ck_assert(ia.offset == ib.offset && ia.len == ib.len && ia.line == ib.line && ia.in_comment == ib.in_comment);
        ck_assert_uint_eq(ib.offset, total);
        total += ib.len;
        mf_text_ref r = {.id = id, .file = ib.file, .line = ib.line, .in_comment = ib.in_comment, .offset = ib.offset,
                         .len = ib.len, .check = mf_slice_check(ib.len, ib.head, ib.head_len, ib.tail, ib.tail_len)};
        mf_text_ref_put(&resolved, &r);
        ck_assert_int_eq(mf_pario_resolve(&p, &resolved), 0);
        ck_assert(resolved.len == a.len && memcmp(resolved.data, a.data, a.len) == 0); /* the same unit */
    }
    ck_assert_uint_eq(total, text.len);
    /* the file changes under a reference: refused, naming the file and the bytes */
    mf_text_ref r = {.id = 1, .offset = 10, .len = 5000};
    r.check = mf_slice_check(r.len, text.data + 10, 64, text.data + 10 + 5000 - 64, 64);
    mf_text_ref_put(&resolved, &r);
    ck_assert_int_eq(mf_pario_resolve(&p, &resolved), 0);
    text.data[10] ^= 1;
    temp_file(0, text.data, text.len);
    mf_text_ref_put(&resolved, &r);
    ck_assert_int_eq(mf_pario_resolve(&p, &resolved), -1);
    ck_assert_ptr_nonnull(strstr(p.err, "bytes 10..5010 differ from those rank 0 read"));
    r.offset = text.len; /* past the end */
    mf_text_ref_put(&resolved, &r);
    ck_assert_int_eq(mf_pario_resolve(&p, &resolved), -1);
    ck_assert_ptr_nonnull(strstr(p.err, "cannot read bytes"));
    mf_pario_free(&p);
    mf_input_close(&copied);
    mf_input_close(&cut);
    unlink(path);
    mf_buf_free(&text);
    mf_buf_free(&a);
    mf_buf_free(&resolved);
}
END_TEST

/* With --parallel-io each rank records the inputs at the start: a read that fails or a slice that differs after
   the file changed names the file as changed, with its sizes then and now. */
START_TEST(a_changed_input_is_named)
{
    mf_buf text, unit;
    mf_buf_init(&text);
    mf_buf_init(&unit);
    random_text(&text, 300000);
    const char *path = temp_file(2, text.data, text.len);
    const char *const paths[] = {path};
    mf_config cfg = {.inputs = paths, .ninputs = 1, .output = "/nonexistent", .parallel_io = true};
    mf_pario p;
    ck_assert_int_eq(mf_pario_init(&p, &cfg, 1), 0);
    mf_text_ref r = {.id = 1, .offset = 5000, .len = 5000};
    r.check = mf_slice_check(r.len, text.data + 5000, 64, text.data + 10000 - 64, 64);
    mf_text_ref_put(&unit, &r);
    ck_assert_int_eq(mf_pario_resolve(&p, &unit), 0);
    r.offset = text.len; /* past the end of a file that has not changed: no claim of a change */
    mf_text_ref_put(&unit, &r);
    ck_assert_int_eq(mf_pario_resolve(&p, &unit), -1);
    char want[256];
    snprintf(want, sizeof want, "cannot read bytes %zu..%zu: Input/output error", text.len, text.len + 5000);
    ck_assert_msg(strstr(p.err, want) != NULL, "%s", p.err);
    r.offset = 5000;
    /* rewritten in place at the same size, one byte changed (the time set apart: clocks may be coarse) */
    text.data[5010] ^= 1; /* among the first bytes of the slice, which the check covers */
    temp_file(2, text.data, text.len);
    struct timespec times[2] = {{.tv_sec = 1000000000, .tv_nsec = 0}, {.tv_sec = 1000000000, .tv_nsec = 0}};
    ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
    mf_text_ref_put(&unit, &r);
    ck_assert_int_eq(mf_pario_resolve(&p, &unit), -1);
    snprintf(want, sizeof want, "%s changed during the run (%zu bytes, now %zu)", path, text.len, text.len);
    ck_assert_str_eq(p.err, want);
    /* cut short */
    ck_assert_int_eq(truncate(path, 7000), 0);
    mf_text_ref_put(&unit, &r);
    ck_assert_int_eq(mf_pario_resolve(&p, &unit), -1);
    snprintf(want, sizeof want, "%s changed during the run (%zu bytes, now 7000)", path, text.len);
    ck_assert_str_eq(p.err, want);
    mf_pario_free(&p);
    unlink(path);
    mf_buf_free(&text);
    mf_buf_free(&unit);
}
END_TEST

START_TEST(sampled_blocks_cover_the_ends)
{
    uint64_t off[MF_PARIO_SAMPLES];
    const uint64_t B = MF_PARIO_SAMPLE_BYTES;
    ck_assert_int_eq(mf_pario_sample_offsets(0, off), 0);
    ck_assert_int_eq(mf_pario_sample_offsets(1, off), 1);
    ck_assert_uint_eq(off[0], 0);
    ck_assert_int_eq(mf_pario_sample_offsets(3 * B + 1, off), 4); /* small: every block */
    ck_assert(off[0] == 0 && off[1] == B && off[2] == 2 * B && off[3] == 3 * B);
    uint64_t sizes[] = {8 * B, 8 * B + 1, 9 * B, 15 * B - 7, 1000 * B + 123, (uint64_t)1 << 40, ((uint64_t)1 << 62) + 5};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        uint64_t size = sizes[k];
        int n = mf_pario_sample_offsets(size, off);
        ck_assert_int_eq(n, MF_PARIO_SAMPLES);
        ck_assert_uint_eq(off[0], 0);
        ck_assert_uint_eq(off[n - 1] + (size - off[n - 1] < B ? size - off[n - 1] : B), size); /* ends at size */
        for (int i = 1; i < n; i++)
            ck_assert_msg(off[i] >= off[i - 1] + B, "size %llu: block %d overlaps", (unsigned long long)size, i);
        if (size >= 64 * B) /* spread: the middle sample near the middle of the file */
            ck_assert(off[n / 2] > size / 4 && off[n / 2] < 3 * (size / 4));
    }
    for (int r = 0; r < 2000; r++) { /* random sizes: the same properties */
        uint64_t size = mf_test_range(0, 100 * B);
        int n = mf_pario_sample_offsets(size, off);
        ck_assert_int_le(n, MF_PARIO_SAMPLES);
        ck_assert(n == 0 ? size == 0 : off[0] == 0 && off[n - 1] < size && size - off[n - 1] <= B);
        for (int i = 1; i < n; i++)
            ck_assert(off[i] >= off[i - 1] + B);
    }
}
END_TEST

/* Sets path's modification time to sec (nanoseconds 0). */
static void set_mtime(const char *path, time_t sec)
{
    struct timespec t[2] = {{.tv_sec = sec, .tv_nsec = 0}, {.tv_sec = sec, .tv_nsec = 0}};
    ck_assert_int_eq(utimensat(AT_FDCWD, path, t, 0), 0);
}

START_TEST(file_identity_without_device_numbers)
{
    /* two copies of a file (other inodes) with the same time are the same file to parallel I/O; a byte changed
       in a sampled block, another size or another time is not; bytes between sampled blocks are not read */
    size_t len = 64 * MF_PARIO_SAMPLE_BYTES + 100;
    unsigned char *data = malloc(len);
    ck_assert_ptr_nonnull(data);
    for (size_t i = 0; i < len; i++)
        data[i] = (unsigned char)('0' + i % 10);
    const char *a = temp_file(2, data, len), *b = temp_file(3, data, len);
    set_mtime(a, 1700000000);
    set_mtime(b, 1700000000);
    char why[600] = "";
    uint64_t ida = mf_pario_file_id(a, why, sizeof why), idb = mf_pario_file_id(b, why, sizeof why);
    ck_assert_uint_gt(ida, MF_PARIO_NOT_COMPARED);
    ck_assert_uint_eq(ida, idb);
    uint64_t off[MF_PARIO_SAMPLES];
    int n = mf_pario_sample_offsets(len, off);
    for (int i = 0; i < n; i++) { /* one byte changed in each sampled block in turn: another identity */
        size_t at = (size_t)off[i] + (i == n - 1 ? len - off[i] - 1 : 17);
        data[at] ^= 1;
        temp_file(3, data, len);
        set_mtime(b, 1700000000);
        ck_assert_msg(mf_pario_file_id(b, why, sizeof why) != ida, "block %d", i);
        data[at] ^= 1;
    }
    data[off[1] + MF_PARIO_SAMPLE_BYTES + 5] ^= 1; /* between samples: not seen (bounded reads) */
    temp_file(3, data, len);
    set_mtime(b, 1700000000);
    ck_assert_uint_eq(mf_pario_file_id(b, why, sizeof why), ida);
    set_mtime(b, 1700000001);
    ck_assert_uint_ne(mf_pario_file_id(b, why, sizeof why), ida);
    temp_file(3, data, len - 1);
    set_mtime(b, 1700000000);
    ck_assert_uint_ne(mf_pario_file_id(b, why, sizeof why), ida);
    /* small files are read whole */
    const char *c = temp_file(3, "1 2 3\n", 6), *d = temp_file(1, "1 2 4\n", 6);
    set_mtime(c, 1700000000);
    set_mtime(d, 1700000000);
    ck_assert_uint_ne(mf_pario_file_id(c, why, sizeof why), mf_pario_file_id(d, why, sizeof why));
    /* standard input and what is not a regular file are not compared (a FIFO is never opened) */
    ck_assert_uint_eq(mf_pario_file_id("-", why, sizeof why), MF_PARIO_NOT_COMPARED);
    ck_assert_uint_eq(mf_pario_file_id("/dev/null", why, sizeof why), MF_PARIO_NOT_COMPARED);
    char fifo[64];
    snprintf(fifo, sizeof fifo, "/tmp/mf-test-pario-%d-fifo", (int)getpid());
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_uint_eq(mf_pario_file_id(fifo, why, sizeof why), MF_PARIO_NOT_COMPARED);
    unlink(fifo);
    /* a missing file: 0 and the reason */
    why[0] = '\0';
    ck_assert_uint_eq(mf_pario_file_id("/nonexistent/in.txt", why, sizeof why), 0);
    ck_assert_str_eq(why, "/nonexistent/in.txt: No such file or directory");
    unlink(a);
    unlink(b);
    unlink(c);
    unlink(d);
    free(data);
}
END_TEST

START_TEST(probe_file_proves_one_output_directory)
{
    char dir[64], out[128], other[128], probe[4300], why[600] = "";
    snprintf(dir, sizeof dir, "/tmp/mf-test-probe-%d", (int)getpid());
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(other, sizeof other, "/tmp/mf-test-probe-%d-other.txt", (int)getpid());
    uint64_t t = mf_pario_probe_create(out, why, sizeof why);
    ck_assert_uint_ne(t, 0);
    mf_pario_probe_path(probe, sizeof probe, out, t);
    ck_assert_ptr_nonnull(strstr(probe, "/" MF_PARIO_PROBE_PREFIX)); /* hidden, in the output's directory */
    ck_assert_int_eq(strncmp(probe, dir, strlen(dir)), 0);
    ck_assert_int_eq(access(probe, F_OK), 0);
    ck_assert_int_eq(mf_pario_probe_check(out, t, why, sizeof why), 0);
    ck_assert_int_eq(mf_pario_probe_check(other, t, why, sizeof why), -1); /* another directory */
    ck_assert_ptr_nonnull(strstr(why, ": its directory /tmp is not the one rank 0 sees (rank 0's probe file .mpifactor-probe-"));
    ck_assert_int_eq(mf_pario_probe_check(out, t ^ 1, why, sizeof why), -1); /* another token */
    uint64_t t2 = mf_pario_probe_create(out, why, sizeof why); /* a second one: another name */
    ck_assert(t2 != 0 && t2 != t);
    FILE *f = fopen(probe, "wb"); /* the right name, other bytes */
    ck_assert_ptr_nonnull(f);
    fputs("something else\n", f);
    fclose(f);
    ck_assert_int_eq(mf_pario_probe_check(out, t, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "holds other bytes"));
    mf_pario_probe_remove(out, t);
    mf_pario_probe_remove(out, t2);
    mf_pario_probe_remove(out, 0);
    ck_assert_int_eq(mf_pario_probe_check(out, t, why, sizeof why), -1);
    ck_assert_int_eq(rmdir(dir), 0); /* nothing left behind */
    /* no probe where the output cannot be: a missing directory, or no regular file */
    ck_assert_uint_eq(mf_pario_probe_create("/nonexistent/dir/out.txt", why, sizeof why), 0);
    ck_assert_ptr_nonnull(strstr(why, "/nonexistent/dir: cannot create a file there"));
    ck_assert_uint_eq(mf_pario_probe_create("/dev/null", why, sizeof why), 0);
}
END_TEST

START_TEST(view_decides_automatic_parallel_io)
{
    const char *a = temp_file(2, "1 2 3\n", 6), *b = temp_file(3, "4 5 6\n", 6);
    set_mtime(a, 1700000000);
    set_mtime(b, 1700000000);
    const char *one[] = {"-", a}, *other[] = {"-", b}, *missing[] = {"-", "/nonexistent/in.txt"};
    char out[64], why[1024] = "";
    snprintf(out, sizeof out, "/tmp/mf-test-view-%d.out", (int)getpid());
    mf_config cfg = {.output = out, .inputs = one, .ninputs = 2};
    ck_assert_uint_eq(mf_pario_view_len(&cfg), 3);
    uint64_t view[3];
    mf_pario_view_make(&cfg, view);
    ck_assert(mf_pario_view_complete(&cfg, view));
    ck_assert_uint_eq(view[1], MF_PARIO_NOT_COMPARED);
    ck_assert(mf_pario_agrees(&cfg, view, 1, why, sizeof why));
    mf_config x = cfg;
    x.inputs = other; /* another file at that name */
    ck_assert(!mf_pario_agrees(&x, view, 3, why, sizeof why));
    ck_assert_msg(strstr(why, "rank 3 (host ") == why && strstr(why, b) &&
                  strstr(why, "not the file rank 0 reads (size, modification time or sampled bytes differ)") &&
                  strstr(why, "--parallel-io needs every rank to see the same files"), "%s", why);
    x.inputs = missing;
    ck_assert(!mf_pario_agrees(&x, view, 2, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "/nonexistent/in.txt: No such file or directory"));
    x = cfg;
    x.output = "/var/tmp/out.txt"; /* another output directory: the probe is not there */
    ck_assert(!mf_pario_agrees(&x, view, 1, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "/var/tmp/out.txt: its directory /var/tmp is not the one rank 0 sees"));
    ck_assert(mf_pario_decide(&cfg, 2, true, true));
    ck_assert(!mf_pario_decide(&cfg, 1, true, true));
    ck_assert(!mf_pario_decide(&cfg, 4, true, false));
    ck_assert(!mf_pario_decide(&cfg, 4, false, true));
    mf_pario_probe_remove(out, view[0]);
    ck_assert(!mf_pario_agrees(&cfg, view, 1, why, sizeof why)); /* removed: no longer found */
    /* rank 0 cannot see an input: incomplete, nothing to compare, auto stays off */
    x = cfg;
    x.inputs = missing;
    mf_pario_view_make(&x, view);
    ck_assert(!mf_pario_view_complete(&x, view));
    ck_assert(mf_pario_agrees(&cfg, view, 1, why, sizeof why));
    ck_assert(!mf_pario_decide(&x, 4, false, true));
    mf_pario_probe_remove(out, view[0]);
    /* the decision as asked */
    x = cfg;
    x.output = NULL;
    ck_assert(!mf_pario_decide(&x, 4, true, true));
    x = cfg;
    x.parallel_io_mode = MF_PIO_OFF;
    ck_assert(!mf_pario_decide(&x, 4, true, true));
    x.parallel_io_mode = MF_PIO_ON;
    ck_assert(mf_pario_decide(&x, 4, true, false));
    char probe[4300];
    mf_pario_probe_path(probe, sizeof probe, out, 0);
    *strrchr(probe, '/') = '\0';
    ck_assert_str_eq(probe, "/tmp");
    unlink(a);
    unlink(b);
}
END_TEST

START_TEST(held_outputs_placed_at_their_offsets)
{
    const char *out = temp_file(1, "..........", 10);
    mf_config cfg = {.output = out};
    mf_pario p;
    ck_assert_int_eq(mf_pario_init(&p, &cfg, 2), 0);
    mf_buf b, content, msgs;
    mf_buf_init(&b);
    mf_buf_init(&content);
    mf_buf_init(&msgs);
    for (uint64_t id = 1; id <= 20; id++) { /* twenty results of id bytes each, held */
        mf_text_result_begin(&b, id);
        for (uint64_t k = 0; k < id; k++)
            mf_buf_put_u8(&b, (unsigned)('a' + id % 26));
        mf_text_result_end(&b, 0, id, 0, 0, &msgs, 1, 0, 0, 0, 0, 0, NULL, 0, 0, 0);
        mf_pario_hold(&p, &b);
        ck_assert(mf_result_is_held(&b));
    }
    ck_assert_uint_eq(p.nheld, 20);
    uint64_t offset = 3;
    for (uint64_t id = 20; id >= 1; id--) { /* placed in another order than held */
        ck_assert_int_eq(mf_pario_place(&p, id, offset), 0);
        offset += id;
    }
    ck_assert_int_eq(mf_pario_place(&p, 7, 0), -1); /* already placed */
    ck_assert_ptr_nonnull(strstr(p.err, "does not hold"));
    ck_assert_uint_eq(p.placed, 20);
    ck_assert_int_eq(mf_pario_sync(&p), 0);
    ck_assert_uint_eq(p.synced, 20);
    slurp(out, &content);
    ck_assert_uint_eq(content.len, 3 + 210);
    ck_assert_int_eq(memcmp(content.data, "...", 3), 0);
    size_t at = 3;
    for (uint64_t id = 20; id >= 1; id--)
        for (uint64_t k = 0; k < id; k++)
            ck_assert_int_eq(content.data[at++], 'a' + id % 26);
    mf_pario_free(&p);
    unlink(out);
    /* an output the worker cannot open: refused, never created */
    ck_assert_int_eq(mf_pario_init(&p, &cfg, 2), 0);
    mf_text_result_begin(&b, 1);
    mf_buf_put_str(&b, "1:\n");
    mf_text_result_end(&b, 0, 2, 0, 0, &msgs, 1, 0, 0, 0, 0, 0, NULL, 0, 0, 0);
    mf_pario_hold(&p, &b);
    ck_assert_int_eq(mf_pario_place(&p, 1, 0), -1);
    ck_assert_ptr_nonnull(strstr(p.err, "No such file or directory; --parallel-io needs every rank to see the same files"));
    ck_assert_int_eq(access(out, F_OK), -1);
    mf_pario_free(&p);
    mf_buf_free(&b);
    mf_buf_free(&content);
    mf_buf_free(&msgs);
}
END_TEST

START_TEST(writer_keeps_order_and_reports_errors)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/mf-test-writer-%d", (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    mf_writer w;
    ck_assert_int_eq(mf_writer_start(&w, fd), 0);
    mf_buf b, want, got;
    mf_buf_init(&b);
    mf_buf_init(&want);
    mf_buf_init(&got);
    for (int i = 0; i < 200; i++) { /* more buffers than slots: put waits for the thread */
        for (int k = (int)mf_test_range(0, 5000); k > 0; k--)
            mf_buf_put_u8(&b, (unsigned)('A' + (i + k) % 26));
        mf_buf_put(&want, b.data, b.len);
        ck_assert_int_eq(mf_writer_put(&w, &b), 0);
        ck_assert_uint_eq(b.len, 0);
        if (i == 100)
            ck_assert_int_eq(mf_writer_drain(&w), 0);
    }
    ck_assert_int_eq(mf_writer_stop(&w), 0);
    close(fd);
    slurp(path, &got);
    ck_assert(got.len == want.len && memcmp(got.data, want.data, want.len) == 0);
    /* a descriptor that cannot be written: the error comes back from drain, later buffers are dropped */
    fd = open(path, O_RDONLY);
    ck_assert_int_eq(mf_writer_start(&w, fd), 0);
    mf_buf_put_str(&b, "x");
    ck_assert_int_eq(mf_writer_put(&w, &b), 0);
    ck_assert_int_eq(mf_writer_drain(&w), -1);
    mf_buf_put_str(&b, "y");
    ck_assert_int_eq(mf_writer_put(&w, &b), -1);
    ck_assert_int_eq(mf_writer_stop(&w), -1);
    close(fd);
    unlink(path);
    /* a pipe nobody reads yet: three buffers of 100 KB stay queued (the first blocks in write), then a
       reader drains them all (mf_sink_backlogged reads this count) */
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(mf_writer_start(&w, p[1]), 0);
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 100000; k++)
            mf_buf_put_u8(&b, 'z');
        ck_assert_int_eq(mf_writer_put(&w, &b), 0);
    }
    nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
    ck_assert_uint_eq(mf_writer_queued(&w), 3);
    char sink[65536];
    size_t total = 0;
    while (total < 300000) {
        ssize_t n = read(p[0], sink, sizeof sink);
        ck_assert_int_gt(n, 0);
        total += (size_t)n;
    }
    ck_assert_int_eq(mf_writer_drain(&w), 0);
    ck_assert_uint_eq(mf_writer_queued(&w), 0);
    ck_assert_int_eq(mf_writer_stop(&w), 0);
    close(p[0]);
    close(p[1]);
    mf_buf_free(&b);
    mf_buf_free(&want);
    mf_buf_free(&got);
}
END_TEST

START_TEST(rest_of_a_slice_by_reference)
{
    /* the rest a unit cut off goes back as a reference to the end of its slice, checked like any slice */
    const char *slice = "1001 1002 1003\n1004 # c\n1005 1006\n"; /* at offset 500 of file 1 */
    const char *rest_text = "1005 1006\n";
    size_t len = strlen(slice), rlen = strlen(rest_text);
    mf_text_ref orig = {.id = 40, .file = 1, .line = 7, .hold_output = 1, .offset = 500, .len = len, .check = 0};
    mf_buf rest;
    mf_buf_init(&rest);
    mf_text_unit_begin(&rest, 40, 1, 9, 0);
    mf_buf_put_str(&rest, rest_text);
    ck_assert_int_eq(mf_pario_rest_by_ref(&rest, &orig), 0);
    mf_text_ref r;
    ck_assert_int_eq(mf_text_ref_read(&rest, &r), 0);
    ck_assert(r.id == 40 && r.file == 1 && r.line == 9 && !r.in_comment && r.hold_output);
    ck_assert_uint_eq(r.offset, 500 + len - rlen);
    ck_assert_uint_eq(r.len, rlen);
    ck_assert_uint_eq(r.check, mf_slice_check(rlen, rest_text, rlen, rest_text, rlen));
    ck_assert_uint_eq(orig.len, len - rlen); /* the unit now ends where its rest began */
    /* a second rest cut off the same unit: the end of what it kept */
    const char *rest2 = "1004 # c\n";
    size_t r2len = strlen(rest2);
    mf_buf_reset(&rest);
    mf_text_unit_begin(&rest, 40, 1, 8, 0);
    mf_buf_put_str(&rest, rest2);
    ck_assert_int_eq(mf_pario_rest_by_ref(&rest, &orig), 0);
    ck_assert_int_eq(mf_text_ref_read(&rest, &r), 0);
    ck_assert(r.line == 8 && r.offset == 500 + len - rlen - r2len && r.len == r2len);
    ck_assert_uint_eq(r.check, mf_slice_check(r2len, rest2, r2len, rest2, r2len));
    ck_assert_uint_eq(orig.len, len - rlen - r2len);
    /* a rest longer than the slice, or no text unit: refused */
    mf_buf_reset(&rest);
    mf_text_unit_begin(&rest, 40, 1, 9, 0);
    mf_buf_put_str(&rest, slice);
    mf_buf_put_str(&rest, "x");
    ck_assert_int_eq(mf_pario_rest_by_ref(&rest, &orig), -1);
    mf_text_ref_put(&rest, &orig);
    ck_assert_int_eq(mf_pario_rest_by_ref(&rest, &orig), -1);
    mf_buf_free(&rest);
}
END_TEST

Suite *pario_suite(void)
{
    Suite *s = suite_create("pario");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, ledger_durable_prefix);
    tcase_add_test(tc, codec_ref_and_held_results);
    tcase_add_test(tc, rest_of_a_slice_by_reference);
    tcase_add_test(tc, slices_by_reference_match_copied_slices);
    tcase_add_test(tc, a_changed_input_is_named);
    tcase_add_test(tc, sampled_blocks_cover_the_ends);
    tcase_add_test(tc, file_identity_without_device_numbers);
    tcase_add_test(tc, probe_file_proves_one_output_directory);
    tcase_add_test(tc, view_decides_automatic_parallel_io);
    tcase_add_test(tc, held_outputs_placed_at_their_offsets);
    tcase_add_test(tc, writer_keeps_order_and_reports_errors);
    suite_add_tcase(s, tc);
    return s;
}
