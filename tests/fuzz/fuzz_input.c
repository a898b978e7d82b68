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

/* Tokenizes the bytes as an input file; every valid number must print as plain digits. */
static void fuzz_tokenizer(const uint8_t *data, size_t size)
{
    int fd = memfd_create("mf-fuzz", 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64], msg[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    FILE *err = fopen("/dev/null", "w");
    const char *paths[] = {path};
    mf_input in;
    if (mf_input_open(&in, paths, 1, err, msg, sizeof msg) != 0)
        abort();
    mf_value v;
    mf_value_init(&v);
    mf_buf text;
    mf_buf_init(&text);
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
        count++;
    }
    if (rc != 0 || count != in.valid || in.bytes_read != size)
        abort();
    mf_buf_free(&text);
    mf_value_clear(&v);
    mf_input_close(&in);
    fclose(err);
    close(fd);
}

/* Decodes the bytes as a result and as a unit message: must fail cleanly or round-trip. */
static void fuzz_decoders(const uint8_t *data, size_t size)
{
    mf_buf b;
    mf_buf_init(&b);
    mf_buf_put(&b, data, size);
    mf_result_header rh;
    mf_factored f;
    mf_factored_init(&f);
    if (mf_result_read_header(&b, &rh) == 0)
        for (uint32_t i = 0; i < rh.count && i < 10000; i++)
            if (mf_result_next(&b, &f) != 0)
                break;
    mf_unit_header uh;
    mf_value v;
    mf_value_init(&v);
    if (mf_unit_read_header(&b, &uh) == 0)
        for (uint32_t i = 0; i < uh.count && i < 10000; i++)
            if (mf_codec_get_value(&b, &v) != 0)
                break;
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
