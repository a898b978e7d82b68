/* Append-only checkpoint file with checked records; a torn tail is detected and cut off. */
#define _POSIX_C_SOURCE 200809L
#include "mf_checkpoint.h"

#include "mf_buf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "mpifactor-checkpoint 1 "

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

#define FNV_OFFSET UINT64_C(14695981039346656037)

int mf_fingerprint(uint64_t *fp, const char *const *paths, int npaths, const char *options,
                   char *err, size_t errlen)
{
    uint64_t h = fnv1a(FNV_OFFSET, options, strlen(options) + 1);
    unsigned char *chunk = malloc(1 << 16);
    if (!chunk) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < npaths; i++) {
        FILE *f = fopen(paths[i], "rb");
        if (!f) {
            snprintf(err, errlen, "%s: %s", paths[i], strerror(errno));
            free(chunk);
            return -1;
        }
        size_t n;
        uint64_t total = 0;
        while ((n = fread(chunk, 1, 1 << 16, f)) > 0) {
            h = fnv1a(h, chunk, n);
            total += n;
        }
        int bad = ferror(f);
        fclose(f);
        if (bad) {
            snprintf(err, errlen, "%s: read error", paths[i]);
            free(chunk);
            return -1;
        }
        h = fnv1a(h, &total, sizeof total); /* file boundaries count */
    }
    free(chunk);
    *fp = h;
    return 0;
}

static uint32_t record_check(uint64_t done, uint64_t bytes)
{
    uint64_t v[2] = {done, bytes};
    uint64_t h = fnv1a(FNV_OFFSET, v, sizeof v);
    return (uint32_t)(h ^ (h >> 32));
}

/* Parses one record line (without its newline); returns 0 when well-formed and its check matches. */
static int parse_record(const char *line, uint64_t *done, uint64_t *bytes)
{
    unsigned long long d, b;
    unsigned int chk;
    int used = 0;
    if (sscanf(line, "done %llu %llu %8x%n", &d, &b, &chk, &used) != 3 || line[used] != '\0')
        return -1;
    if (record_check(d, b) != chk)
        return -1;
    *done = d;
    *bytes = b;
    return 0;
}

int mf_checkpoint_open(mf_checkpoint *c, const char *path, uint64_t fp, char *err, size_t errlen)
{
    char header[64];
    snprintf(header, sizeof header, MAGIC "%016" PRIx64 "\n", fp);
    memset(c, 0, sizeof *c);
    c->fd = open(path, O_RDWR | O_CREAT, 0644);
    if (c->fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(c->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        goto fail;
    }
    if (st.st_size == 0) {
        if (mf_write_all(c->fd, header, strlen(header)) != 0 || fsync(c->fd) != 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            goto fail;
        }
        return 0;
    }
    char *text = malloc((size_t)st.st_size + 1);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    ssize_t got = pread(c->fd, text, (size_t)st.st_size, 0);
    if (got != st.st_size) {
        free(text);
        snprintf(err, errlen, "%s: read error", path);
        goto fail;
    }
    text[got] = '\0';
    size_t hl = strlen(header);
    if ((size_t)got < hl || memcmp(text, header, hl) != 0) {
        int ours = (size_t)got >= sizeof MAGIC - 1 && memcmp(text, MAGIC, sizeof MAGIC - 1) == 0;
        free(text);
        if (ours)
            snprintf(err, errlen, "%s: checkpoint belongs to another input or other output options; "
                     "remove it or choose another checkpoint file", path);
        else
            snprintf(err, errlen, "%s: not an mpifactor checkpoint (refusing to overwrite it)", path);
        goto fail;
    }
    c->resumed = 1;
    size_t good_end = hl, pos = hl;
    while (pos < (size_t)got) {
        char *nl = memchr(text + pos, '\n', (size_t)got - pos);
        if (!nl)
            break; /* torn last record: no newline */
        *nl = '\0';
        uint64_t d, b;
        if (parse_record(text + pos, &d, &b) != 0)
            break; /* corrupt record: ignore it and everything after it */
        c->done = d;
        c->out_bytes = b;
        pos = (size_t)(nl - text) + 1;
        good_end = pos;
    }
    free(text);
    if (good_end != (size_t)got && (ftruncate(c->fd, (off_t)good_end) != 0 || fsync(c->fd) != 0)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (lseek(c->fd, 0, SEEK_END) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto fail;
    }
    return 0;
fail:
    close(c->fd);
    c->fd = -1;
    return -1;
}

int mf_checkpoint_commit(mf_checkpoint *c, uint64_t done, uint64_t out_bytes, char *err, size_t errlen)
{
    char rec[80];
    int n = snprintf(rec, sizeof rec, "done %llu %llu %08x\n", (unsigned long long)done,
                     (unsigned long long)out_bytes, record_check(done, out_bytes));
    if (mf_write_all(c->fd, rec, (size_t)n) != 0 || fsync(c->fd) != 0) {
        snprintf(err, errlen, "checkpoint: %s", strerror(errno));
        return -1;
    }
    c->done = done;
    c->out_bytes = out_bytes;
    return 0;
}

void mf_checkpoint_close(mf_checkpoint *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}
