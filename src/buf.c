/* Growable byte buffer: appends, little-endian integers, decimal formatting, bounds-checked reads,
   and whole writes to a file descriptor. */
#define _POSIX_C_SOURCE 200809L
#include "mf_buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void mf_buf_init(mf_buf *b)
{
    memset(b, 0, sizeof *b);
}

void mf_buf_free(mf_buf *b)
{
    free(b->data);
    mf_buf_init(b);
}

void mf_buf_reset(mf_buf *b)
{
    b->len = 0;
    b->pos = 0;
    b->failed = 0;
}

void mf_buf_grow(mf_buf *b, size_t extra)
{
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra)
        cap *= 2;
    unsigned char *p = realloc(b->data, cap);
    if (!p) {
        fprintf(stderr, "mpifactor: out of memory (%zu bytes)\n", cap);
        abort();
    }
    b->data = p;
    b->cap = cap;
}

void *mf_array_grow(void *items, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return items;
    size_t want = *cap ? 2 * *cap : first;
    void *p = realloc(items, want * size);
    if (!p) {
        fprintf(stderr, "mpifactor: out of memory (%zu bytes)\n", want * size);
        abort();
    }
    *cap = want;
    return p;
}

void mf_buf_put(mf_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    mf_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void mf_buf_put_u32(mf_buf *b, uint32_t v)
{
    mf_buf_reserve(b, 4);
    for (int i = 0; i < 4; i++)
        b->data[b->len++] = (unsigned char)(v >> (8 * i));
}

char *mf_dec_write(char *p, uint64_t v)
{
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    int digits = 1;
    for (uint64_t t = v; t >= 10; t /= 10)
        digits++;
    char *end = p + digits, *q = end;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        *--q = pairs[2 * r + 1];
        *--q = pairs[2 * r];
    }
    if (v >= 10) {
        *--q = pairs[2 * v + 1];
        *--q = pairs[2 * v];
    } else {
        *--q = (char)('0' + v);
    }
    return end;
}

void mf_buf_put_dec(mf_buf *b, uint64_t v)
{
    mf_buf_reserve(b, MF_DEC_MAX);
    char *p = (char *)b->data + b->len;
    b->len += (size_t)(mf_dec_write(p, v) - p);
}

void mf_buf_put_str(mf_buf *b, const char *s)
{
    mf_buf_put(b, s, strlen(s));
}

const unsigned char *mf_buf_get_bytes(mf_buf *b, size_t n)
{
    if (b->failed || b->len - b->pos < n) {
        b->failed = 1;
        return NULL;
    }
    const unsigned char *p = b->data + b->pos;
    b->pos += n;
    return p;
}

uint32_t mf_buf_get_u32(mf_buf *b)
{
    const unsigned char *p = mf_buf_get_bytes(b, 4);
    uint32_t v = 0;
    for (int i = 0; p && i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

/* Writes all n bytes at p: at the file position when at is NULL, else at byte *at (advanced). */
static int write_loop(int fd, const void *p, size_t n, uint64_t *at)
{
    const unsigned char *s = p;
    while (n) {
        ssize_t w = at ? pwrite(fd, s, n, (off_t)*at) : write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
        if (at)
            *at += (uint64_t)w;
    }
    return 0;
}

int mf_write_all(int fd, const void *p, size_t n)
{
    return write_loop(fd, p, n, NULL);
}

int mf_pwrite_all(int fd, const void *p, size_t n, uint64_t offset)
{
    return write_loop(fd, p, n, &offset);
}

int mf_pread_all(int fd, void *p, size_t n, uint64_t offset)
{
    unsigned char *d = p;
    while (n) {
        ssize_t r = pread(fd, d, n, (off_t)offset);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0) {
            errno = EIO;
            return -1;
        }
        d += r;
        n -= (size_t)r;
        offset += (uint64_t)r;
    }
    return 0;
}
