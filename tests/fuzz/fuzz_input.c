/* libFuzzer harness: the input tokenizer on arbitrary bytes, and the message decoders on arbitrary
   messages. The first byte selects the target. Invariants are checked with abort(). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mf_codec.h"
#include "mf_input.h"

/* Opens the bytes as a one-file input (memfd). */
static int open_bytes(mf_input *in, const char **paths, char *path, size_t pathlen, FILE *err,
                      const uint8_t *data, size_t size)
{
    int fd = memfd_create("mf-fuzz", 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    snprintf(path, pathlen, "/proc/self/fd/%d", fd);
    paths[0] = path;
    char msg[256];
    if (mf_input_open(in, paths, 1, err, msg, sizeof msg) != 0)
        abort();
    return fd;
}

/* Appends the decimal digits of v and a separator. */
static void put_number(mf_buf *b, const mf_value *v)
{
    mf_value_put_dec(b, v);
    mf_buf_put_u8(b, ' ');
}

/* Tokenizes the bytes as an input file; every valid number must print as plain digits. Then cuts the same
   bytes into slices (the master's work units) and scans them as workers do: the same numbers, invalid tokens
   and lines must come out, and no slice may cut a token. */
static void fuzz_tokenizer(const uint8_t *data, size_t size)
{
    char path[64], msg[256];
    const char *paths[1];
    FILE *err = fopen("/dev/null", "w");
    mf_input in;
    int fd = open_bytes(&in, paths, path, sizeof path, err, data, size);
    mf_value v;
    mf_value_init(&v);
    mf_buf text, stream, sliced;
    mf_buf_init(&text);
    mf_buf_init(&stream);
    mf_buf_init(&sliced);
    int rc;
    uint64_t count = 0;
    while ((rc = mf_input_next(&in, &v, msg, sizeof msg)) == 1) {
        mf_buf_reset(&text);
        mf_value_put_dec(&text, &v);
        for (size_t i = 0; i < text.len; i++)
            if (text.data[i] < '0' || text.data[i] > '9')
                abort();
        if (v.is_big && mpz_sizeinbase(v.z, 2) <= 64)
            abort(); /* big values are always >= 2^64 */
        put_number(&stream, &v);
        count++;
    }
    if (rc != 0 || count != in.valid || in.bytes_read != size)
        abort();
    uint64_t invalid = in.invalid;
    mf_input_close(&in);
    close(fd);

    fd = open_bytes(&in, paths, path, sizeof path, err, data, size);
    size_t target = 1 + size % 97, total = 0;
    mf_slice_info info;
    mf_buf slice;
    mf_buf_init(&slice);
    mpz_t scratch;
    mpz_init(scratch);
    uint64_t sliced_invalid = 0, last_line = 1;
    while ((rc = mf_input_slice(&in, &slice, target, 0, &info, msg, sizeof msg)) == 1) {
        if (info.line < last_line || info.file != 0)
            abort();
        last_line = info.line;
        total += slice.len;
        mf_scan s;
        mf_scan_init(&s, slice.data, slice.len, info.line, info.in_comment);
        const unsigned char *tok;
        size_t len;
        uint64_t line;
        while (mf_scan_next(&s, &tok, &len, &line)) {
            if (mf_parse_token(tok, len, &v, scratch))
                put_number(&sliced, &v);
            else
                sliced_invalid++;
        }
        mf_buf_reset(&slice);
    }
    if (rc != 0 || total != size || sliced_invalid != invalid || sliced.len != stream.len ||
        (stream.len && memcmp(sliced.data, stream.data, stream.len) != 0))
        abort();
    mpz_clear(scratch);
    mf_buf_free(&slice);
    mf_buf_free(&text);
    mf_buf_free(&stream);
    mf_buf_free(&sliced);
    mf_value_clear(&v);
    mf_input_close(&in);
    fclose(err);
    close(fd);
}

/* Decodes the bytes as a unit and as a result message: must fail cleanly or stay inside the buffer. */
static void fuzz_decoders(const uint8_t *data, size_t size)
{
    mf_buf b;
    mf_buf_init(&b);
    mf_buf_put(&b, data, size);
    mf_result_info r;
    mf_factored f;
    mf_factored_init(&f);
    if (mf_result_read(&b, &r, &f) == 0) {
        if (r.kind == MF_UNIT_TEXT && ((!r.held && r.out + r.out_len > b.data + b.len) ||
                                       (r.held && r.out != NULL) || r.msgs + r.msgs_len > b.data + b.len))
            abort();
        for (size_t i = 0; r.kind == MF_UNIT_RANGE && i < r.ndivisors; i++)
            (void)mf_result_divisor(&r, i);
    }
    mf_unit u;
    mf_value v;
    mf_value_init(&v);
    if (mf_unit_read(&b, &u, &v) == 0 && u.kind == MF_UNIT_TEXT && u.text + u.len != b.data + b.len)
        abort();
    mf_text_ref ref;
    if (mf_text_ref_read(&b, &ref) == 0 && b.len != 46) /* a unit by reference has a fixed size */
        abort();
    mf_rank_stats st;
    b.pos = 0;
    b.failed = 0;
    (void)mf_codec_get_stats(&b, &st);
    mf_value_clear(&v);
    mf_factored_clear(&f);
    mf_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        fuzz_tokenizer(data, 0);
        return 0;
    }
    if (data[0] == 0xF0)
        fuzz_decoders(data + 1, size - 1);
    else
        fuzz_tokenizer(data, size);
    return 0;
}
