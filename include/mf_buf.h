/* A growable byte buffer with little-endian put/get helpers, used for messages and output. */
#ifndef MPIFACTOR_BUF_H
#define MPIFACTOR_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct mf_buf {
    unsigned char *data;
    size_t len;   /* bytes written */
    size_t cap;   /* bytes allocated */
    size_t pos;   /* read cursor for the get functions */
    int failed;   /* set when a get ran past the end (sticky) */
} mf_buf;

/* Initializes an empty buffer (no allocation). */
void mf_buf_init(mf_buf *b);
/* Frees the storage and resets b to empty. */
void mf_buf_free(mf_buf *b);
/* Empties b for reuse, keeping its storage. */
void mf_buf_reset(mf_buf *b);
/* Grows the storage so that extra more bytes fit (slow path of mf_buf_reserve). */
void mf_buf_grow(mf_buf *b, size_t extra);
/* A growable array of `size`-byte elements with *cap slots, n of them in use: returns it with room for one
   more, doubled when full (first: the slots of a first allocation). Aborts the process on out-of-memory. */
void *mf_array_grow(void *items, size_t *cap, size_t n, size_t size, size_t first);
/* Makes room for at least extra more bytes; aborts the process on out-of-memory. */
static inline void mf_buf_reserve(mf_buf *b, size_t extra)
{
    if (b->cap - b->len < extra)
        mf_buf_grow(b, extra);
}
/* Appends n bytes from p. */
void mf_buf_put(mf_buf *b, const void *p, size_t n);
/* Appends one byte. */
static inline void mf_buf_put_u8(mf_buf *b, unsigned v)
{
    mf_buf_reserve(b, 1);
    b->data[b->len++] = (unsigned char)v;
}
/* Appends v as 4 little-endian bytes. */
void mf_buf_put_u32(mf_buf *b, uint32_t v);
/* Appends v as 8 little-endian bytes. */
static inline void mf_buf_put_u64(mf_buf *b, uint64_t v)
{
    mf_buf_reserve(b, 8);
    unsigned char *d = b->data + b->len;
    for (int i = 0; i < 8; i++)
        d[i] = (unsigned char)(v >> (8 * i));
    b->len += 8;
}
/* Appends the decimal digits of v (no sign, no terminator). */
void mf_buf_put_dec(mf_buf *b, uint64_t v);
/* Writes the decimal digits of v (no sign, no terminator) at p, which has room for MF_DEC_MAX bytes; returns
   the end of what it wrote. */
#define MF_DEC_MAX 20
char *mf_dec_write(char *p, uint64_t v);
/* Appends a NUL-terminated string without its terminator. */
void mf_buf_put_str(mf_buf *b, const char *s);

/* The get functions read at b->pos and advance it; past the end they set b->failed and return 0. */
static inline unsigned mf_buf_get_u8(mf_buf *b)
{
    if (b->failed || b->pos >= b->len) {
        b->failed = 1;
        return 0;
    }
    return b->data[b->pos++];
}
uint32_t mf_buf_get_u32(mf_buf *b);
static inline uint64_t mf_buf_get_u64(mf_buf *b)
{
    if (b->failed || b->len - b->pos < 8) {
        b->failed = 1;
        return 0;
    }
    const unsigned char *d = b->data + b->pos;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)d[i] << (8 * i);
    b->pos += 8;
    return v;
}
/* Writes all n bytes at p to file descriptor fd, retrying short writes and EINTR.
   Returns 0, or -1 with errno set. */
int mf_write_all(int fd, const void *p, size_t n);
/* Writes all n bytes at p to fd at byte offset offset (pwrite, retrying partial writes and EINTR). Returns 0,
   or -1 with errno set. */
int mf_pwrite_all(int fd, const void *p, size_t n, uint64_t offset);
/* Reads exactly n bytes from fd at byte offset offset into p. Returns 0, or -1 with errno set (EIO when the
   file ends first). */
int mf_pread_all(int fd, void *p, size_t n, uint64_t offset);
/* Returns a pointer to the next n bytes and skips them, or NULL (and sets failed) if fewer remain. */
const unsigned char *mf_buf_get_bytes(mf_buf *b, size_t n);

#endif
