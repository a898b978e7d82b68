/* Append-only checkpoint file with checked records, locked by its run; a torn tail is detected and cut off. */
#define _GNU_SOURCE /* F_OFD_SETLK */
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
#include <xxhash.h>

#define MAGIC_ANY "mpifactor-checkpoint "
#define MAGIC MAGIC_ANY "2 "  /* format 2: XXH3 fingerprint (format 1 had FNV-1a) */
#define FP_CHUNK (1u << 20)

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
    XXH3_state_t *state = XXH3_createState();
    unsigned char *chunk = malloc(FP_CHUNK);
    int rc = -1;
    if (!state || !chunk || XXH3_64bits_reset(state) != XXH_OK) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    XXH3_64bits_update(state, options, strlen(options) + 1);
    for (int i = 0; i < npaths; i++) {
        int fd = open(paths[i], O_RDONLY);
        if (fd < 0) {
            snprintf(err, errlen, "%s: %s", paths[i], strerror(errno));
            goto done;
        }
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        uint64_t total = 0;
        ssize_t n;
        while ((n = read(fd, chunk, FP_CHUNK)) != 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                snprintf(err, errlen, "%s: %s", paths[i], strerror(errno));
                close(fd);
                goto done;
            }
            XXH3_64bits_update(state, chunk, (size_t)n);
            total += (uint64_t)n;
        }
        close(fd);
        XXH3_64bits_update(state, &total, sizeof total); /* file boundaries count */
    }
    *fp = XXH3_64bits_digest(state);
    rc = 0;
done:
    free(chunk);
    XXH3_freeState(state);
    return rc;
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

int mf_checkpoint_lock(mf_checkpoint *c, const char *path, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (c->fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* a write lock on the whole file; the kernel drops it when this process ends, however it ends */
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
#ifdef F_OFD_SETLK
    int cmd = F_OFD_SETLK; /* held by this open file, so a second open in the same process conflicts too */
#else
    int cmd = F_SETLK;
#endif
    if (fcntl(c->fd, cmd, &fl) != 0) {
        if (errno == EAGAIN || errno == EACCES)
            snprintf(err, errlen, "checkpoint %s is in use by another run", path);
        else
            snprintf(err, errlen, "%s: cannot lock the checkpoint: %s", path, strerror(errno));
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    return 0;
}

int mf_checkpoint_open(mf_checkpoint *c, const char *path, uint64_t fp, char *err, size_t errlen)
{
    if (mf_checkpoint_lock(c, path, err, errlen) != 0)
        return -1;
    return mf_checkpoint_load(c, path, fp, err, errlen);
}

int mf_checkpoint_load(mf_checkpoint *c, const char *path, uint64_t fp, char *err, size_t errlen)
{
    char header[64];
    snprintf(header, sizeof header, MAGIC "%016" PRIx64 "\n", fp);
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
        int other = !ours && (size_t)got > sizeof MAGIC_ANY - 1 && memcmp(text, MAGIC_ANY, sizeof MAGIC_ANY - 1) == 0;
        char version = other ? text[sizeof MAGIC_ANY - 1] : '?';
        free(text);
        if (other)
            snprintf(err, errlen, "%s: checkpoint format %c was written by another version of mpifactor "
                     "(this one reads format 2); finish that run with the version that wrote it, or remove "
                     "the checkpoint and the output file to start over", path,
                     version >= '0' && version <= '9' ? version : '?');
        else if (ours)
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
