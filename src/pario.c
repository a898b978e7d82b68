/* Worker side of --parallel-io: input slices read by offset, held outputs written at their place. */
#define _POSIX_C_SOURCE 200809L
#include "mf_pario.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "mf_codec.h"
#include "mf_input.h"

#define SHARED_HINT "--parallel-io needs every rank to see the same files (a shared file system)"

int mf_pario_sample_offsets(uint64_t size, uint64_t offsets[MF_PARIO_SAMPLES])
{
    const uint64_t block = MF_PARIO_SAMPLE_BYTES;
    uint64_t blocks = (size + block - 1) / block;
    if (blocks <= MF_PARIO_SAMPLES) { /* small: every block */
        for (uint64_t i = 0; i < blocks; i++)
            offsets[i] = i * block;
        return (int)blocks;
    }
    /* block-aligned starts spread evenly before size - block, the last block ending exactly at size */
    uint64_t last = size - block, whole = last / block; /* whole >= MF_PARIO_SAMPLES - 1 */
    for (int i = 0; i < MF_PARIO_SAMPLES - 1; i++)
        offsets[i] = (uint64_t)i * whole / (MF_PARIO_SAMPLES - 1) * block;
    offsets[MF_PARIO_SAMPLES - 1] = last;
    return MF_PARIO_SAMPLES;
}

uint64_t mf_pario_file_id(const char *path, char *why, size_t whylen)
{
    struct stat st;
    if (strcmp(path, "-") == 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))
        return MF_PARIO_NOT_COMPARED; /* never opened: a pipe's bytes are not to be taken */
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 0;
    }
    XXH3_state_t *h = XXH3_createState();
    unsigned char *block = malloc(MF_PARIO_SAMPLE_BYTES);
    uint64_t id = 0;
    if (h && block) {
        XXH3_64bits_reset(h);
        uint64_t head[3] = {(uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec};
        XXH3_64bits_update(h, head, sizeof head);
        uint64_t offsets[MF_PARIO_SAMPLES];
        int n = mf_pario_sample_offsets((uint64_t)st.st_size, offsets);
        int i = 0;
        for (; i < n; i++) {
            uint64_t len = (uint64_t)st.st_size - offsets[i];
            len = len < MF_PARIO_SAMPLE_BYTES ? len : MF_PARIO_SAMPLE_BYTES;
            if (mf_pread_all(fd, block, (size_t)len, offsets[i]) != 0)
                break;
            XXH3_64bits_update(h, &offsets[i], sizeof offsets[i]);
            XXH3_64bits_update(h, block, (size_t)len);
        }
        if (i == n) {
            id = XXH3_64bits_digest(h);
            id = id > MF_PARIO_NOT_COMPARED ? id : id + MF_PARIO_NOT_COMPARED + 1;
        } else {
            snprintf(why, whylen, "%s: cannot read it: %s", path, strerror(errno));
        }
    } else {
        snprintf(why, whylen, "%s: out of memory", path);
    }
    free(block);
    XXH3_freeState(h);
    close(fd);
    return id;
}

/* Writes the directory part of path to dir ("." when there is none). Returns 0, or -1 when too long. */
static int dir_of(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return snprintf(dir, len, ".") < (int)len ? 0 : -1;
    int n = slash == path ? 1 : (int)(slash - path);
    return snprintf(dir, len, "%.*s", n, path) < (int)len ? 0 : -1;
}

void mf_pario_probe_path(char *out, size_t outlen, const char *output, uint64_t token)
{
    char dir[4096];
    if (dir_of(output, dir, sizeof dir) != 0)
        dir[0] = '\0';
    snprintf(out, outlen, "%s/%s%016llx", dir, MF_PARIO_PROBE_PREFIX, (unsigned long long)token);
}

/* What the probe file for token holds. */
static int probe_text(char *out, size_t len, uint64_t token)
{
    return snprintf(out, len, "mpifactor parallel-io probe %016llx\n", (unsigned long long)token);
}

/* A fresh random nonzero value (the kernel's random source; else the clock, the process and a counter). */
static uint64_t random_token(void)
{
    static uint64_t counter;
    uint64_t t = 0;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        if (read(fd, &t, sizeof t) != (ssize_t)sizeof t)
            t = 0;
        close(fd);
    }
    if (t == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t v[4] = {(uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec, (uint64_t)getpid(), ++counter};
        t = XXH3_64bits(v, sizeof v);
    }
    return t ? t : 1;
}

uint64_t mf_pario_probe_create(const char *output, char *why, size_t whylen)
{
    struct stat st;
    if (stat(output, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "%s: not a regular file", output);
        return 0;
    }
    char dir[4096], path[4200], text[64];
    if (dir_of(output, dir, sizeof dir) != 0) {
        snprintf(why, whylen, "%s: name too long", output);
        return 0;
    }
    for (int attempt = 0; attempt < 8; attempt++) {
        uint64_t token = random_token();
        mf_pario_probe_path(path, sizeof path, output, token);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0) {
            snprintf(why, whylen, "%s: cannot create a file there: %s", dir, strerror(errno));
            return 0;
        }
        int n = probe_text(text, sizeof text, token);
        /* no fsync: the other ranks open it after this close, and close-to-open consistency (NFS flushes on
           close) is what makes it visible to them; durability is not asked for, and an fsync cost every run
           several milliseconds of start-up here, more on a shared file system */
        bool ok = mf_write_all(fd, text, (size_t)n) == 0;
        int e = errno;
        ok = close(fd) == 0 && ok;
        if (!ok) {
            unlink(path);
            snprintf(why, whylen, "%s: %s", path, strerror(e));
            return 0;
        }
        return token;
    }
    snprintf(why, whylen, "%s: no free name for a probe file", dir);
    return 0;
}

int mf_pario_probe_check(const char *output, uint64_t token, char *why, size_t whylen)
{
    char dir[4096], path[4200], want[64], got[64];
    if (dir_of(output, dir, sizeof dir) != 0)
        dir[0] = '\0';
    mf_pario_probe_path(path, sizeof path, output, token);
    int n = probe_text(want, sizeof want, token);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(why, whylen, "%s: its directory %s is not the one rank 0 sees (rank 0's probe file %s%016llx "
                 "there: %s)", output, dir, MF_PARIO_PROBE_PREFIX, (unsigned long long)token, strerror(errno));
        return -1;
    }
    ssize_t r = read(fd, got, sizeof got);
    close(fd);
    if (r != n || memcmp(got, want, (size_t)n) != 0) {
        snprintf(why, whylen, "%s: its directory %s is not the one rank 0 sees (rank 0's probe file %s%016llx "
                 "there holds other bytes)", output, dir, MF_PARIO_PROBE_PREFIX, (unsigned long long)token);
        return -1;
    }
    return 0;
}

void mf_pario_probe_remove(const char *output, uint64_t token)
{
    if (token == 0)
        return;
    char path[4200];
    mf_pario_probe_path(path, sizeof path, output, token);
    unlink(path);
}

size_t mf_pario_view_len(const mf_config *cfg)
{
    return 1 + (size_t)(cfg->ninputs > 0 ? cfg->ninputs : 0);
}

void mf_pario_view_make(const mf_config *cfg, uint64_t *view)
{
    char why[768];
    view[0] = cfg->output ? mf_pario_probe_create(cfg->output, why, sizeof why) : 0;
    for (int i = 0; i < cfg->ninputs; i++)
        view[1 + i] = mf_pario_file_id(cfg->inputs[i], why, sizeof why);
}

bool mf_pario_view_complete(const mf_config *cfg, const uint64_t *view)
{
    for (size_t i = 0; i < mf_pario_view_len(cfg); i++)
        if (view[i] == 0)
            return false;
    return true;
}

bool mf_pario_agrees(const mf_config *cfg, const uint64_t *view, int rank, char *why, size_t whylen)
{
    if (!mf_pario_view_complete(cfg, view))
        return true;
    char reason[600] = "", host[256] = "?";
    bool same = true;
    for (int i = 0; i < cfg->ninputs && same; i++) {
        uint64_t id = mf_pario_file_id(cfg->inputs[i], reason, sizeof reason);
        if (id != view[1 + i]) {
            same = false;
            if (id != 0)
                snprintf(reason, sizeof reason, "%s: not the file rank 0 reads (%s)", cfg->inputs[i],
                         id == MF_PARIO_NOT_COMPARED || view[1 + i] == MF_PARIO_NOT_COMPARED
                             ? "a regular file for one, not for the other"
                             : "size, modification time or sampled bytes differ");
        }
    }
    if (same && cfg->output)
        same = mf_pario_probe_check(cfg->output, view[0], reason, sizeof reason) == 0;
    if (!same) {
        if (gethostname(host, sizeof host - 1) != 0)
            snprintf(host, sizeof host, "?");
        host[sizeof host - 1] = '\0';
        snprintf(why, whylen, "rank %d (host %s): %s; %s", rank, host, reason, SHARED_HINT);
    }
    return same;
}

bool mf_pario_decide(const mf_config *cfg, int ranks, bool complete, bool all_agree)
{
    if (cfg->parallel_io_mode != MF_PIO_AUTO)
        return cfg->parallel_io_mode == MF_PIO_ON;
    return cfg->output && ranks > 1 && complete && all_agree;
}

int mf_pario_init(mf_pario *p, const mf_config *cfg, int rank)
{
    memset(p, 0, sizeof *p);
    p->cfg = cfg;
    p->rank = rank;
    p->out_fd = -1;
    int n = cfg->ninputs > 0 ? cfg->ninputs : 1;
    p->in_fds = malloc((size_t)n * sizeof *p->in_fds);
    p->seen = calloc((size_t)n, sizeof *p->seen);
    if (!p->in_fds || !p->seen)
        return -1;
    for (int i = 0; i < n; i++) {
        p->in_fds[i] = -1;
        if (cfg->parallel_io && i < cfg->ninputs && strcmp(cfg->inputs[i], "-") != 0)
            mf_file_seen_path(&p->seen[i], cfg->inputs[i]);
    }
    return 0;
}

/* The descriptor of input file, opened on first use; -1 with the reason in p->err. */
static int input_fd(mf_pario *p, uint32_t file)
{
    const char *path = p->cfg->inputs[file];
    if (p->in_fds[file] < 0 && (p->in_fds[file] = open(path, O_RDONLY)) < 0)
        snprintf(p->err, sizeof p->err, "rank %d: %s: %s; %s", p->rank, path, strerror(errno), SHARED_HINT);
    return p->in_fds[file];
}

/* Reads len bytes at offset of input file into d. Returns 0, or -1 with the reason in p->err. */
static int read_at(mf_pario *p, uint32_t file, uint64_t offset, uint64_t len, unsigned char *d)
{
    int fd = input_fd(p, file);
    if (fd < 0)
        return -1;
    if (mf_pread_all(fd, d, (size_t)len, offset) != 0) {
        int e = errno;
        if (mf_file_changed(&p->seen[file], fd, p->cfg->inputs[file], p->err, sizeof p->err))
            return -1;
        errno = e;
        snprintf(p->err, sizeof p->err, "rank %d: %s: cannot read bytes %llu..%llu: %s; %s", p->rank,
                 p->cfg->inputs[file], (unsigned long long)offset, (unsigned long long)(offset + len),
                 strerror(errno), SHARED_HINT);
        return -1;
    }
    return 0;
}

int mf_pario_resolve(mf_pario *p, mf_buf *unit)
{
    mf_text_ref r;
    if (unit->len == 0 || unit->data[0] != MF_UNIT_TEXT_REF)
        return 0;
    if (mf_text_ref_read(unit, &r) != 0 || r.file >= (uint32_t)p->cfg->ninputs || r.len == 0) {
        snprintf(p->err, sizeof p->err, "rank %d: malformed unit by reference", p->rank);
        return -1;
    }
    mf_buf text;
    mf_buf_init(&text);
    mf_text_ref_begin(&text, &r);
    mf_buf_reserve(&text, (size_t)r.len);
    unsigned char *d = text.data + text.len;
    if (read_at(p, r.file, r.offset, r.len, d) != 0) {
        mf_buf_free(&text);
        return -1;
    }
    size_t n = r.len < MF_SLICE_END_BYTES ? (size_t)r.len : MF_SLICE_END_BYTES;
    if (mf_slice_check(r.len, d, n, d + r.len - n, n) != r.check) {
        if (!mf_file_changed(&p->seen[r.file], p->in_fds[r.file], p->cfg->inputs[r.file], p->err, sizeof p->err))
            snprintf(p->err, sizeof p->err, "rank %d: %s: bytes %llu..%llu differ from those rank 0 read; %s "
                     "and the input unchanged during the run", p->rank, p->cfg->inputs[r.file],
                     (unsigned long long)r.offset, (unsigned long long)(r.offset + r.len), SHARED_HINT);
        mf_buf_free(&text);
        return -1;
    }
    text.len += (size_t)r.len;
    mf_buf tmp = *unit;
    *unit = text;
    mf_buf_free(&tmp);
    return 0;
}

int mf_pario_rest_by_ref(mf_buf *rest, mf_text_ref *orig)
{
    mf_unit u;
    mf_value none;
    mf_value_init(&none);
    mf_buf view = *rest;
    view.pos = 0;
    view.failed = 0;
    int rc = mf_unit_read(&view, &u, &none);
    mf_value_clear(&none);
    if (rc != 0 || u.kind != MF_UNIT_TEXT || u.len == 0 || u.len > orig->len)
        return -1;
    size_t n = u.len < MF_SLICE_END_BYTES ? u.len : MF_SLICE_END_BYTES;
    mf_text_ref r = {.id = u.id, .file = orig->file, .line = u.line, .in_comment = u.in_comment,
                     .hold_output = orig->hold_output, .offset = orig->offset + orig->len - u.len, .len = u.len,
                     .check = mf_slice_check(u.len, u.text, n, u.text + u.len - n, n)};
    mf_buf ref;
    mf_buf_init(&ref);
    mf_text_ref_put(&ref, &r);
    mf_buf tmp = *rest;
    *rest = ref;
    mf_buf_free(&tmp);
    orig->len -= u.len; /* the unit now ends where its rest begins */
    return 0;
}

void mf_pario_hold(mf_pario *p, mf_buf *result)
{
    if (p->nheld == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        mf_held *h = realloc(p->held, cap * sizeof *h);
        if (!h)
            abort();
        for (size_t i = p->cap; i < cap; i++)
            mf_buf_init(&h[i].bytes);
        p->held = h;
        p->cap = cap;
    }
    mf_held *h = &p->held[p->nheld++];
    mf_unit_kind kind;
    mf_unit_peek(result, &kind, &h->id);
    mf_text_result_detach(result, p->rank, &h->bytes);
}

int mf_pario_place(mf_pario *p, uint64_t id, uint64_t offset)
{
    size_t i = 0;
    while (i < p->nheld && p->held[i].id != id)
        i++;
    if (i == p->nheld) {
        snprintf(p->err, sizeof p->err, "rank %d: told to place output %llu, which it does not hold", p->rank,
                 (unsigned long long)id);
        return -1;
    }
    const char *path = p->cfg->output;
    if (p->out_fd < 0 && (p->out_fd = open(path, O_WRONLY)) < 0) { /* rank 0 created it: never create here */
        snprintf(p->err, sizeof p->err, "rank %d: %s: %s; %s", p->rank, path, strerror(errno), SHARED_HINT);
        return -1;
    }
    mf_held *h = &p->held[i];
    if (mf_pwrite_all(p->out_fd, h->bytes.data, h->bytes.len, offset) != 0) {
        snprintf(p->err, sizeof p->err, "rank %d: %s: write error: %s", p->rank, path, strerror(errno));
        return -1;
    }
    p->placed++;
    mf_held done = *h; /* keep the storage for a later output */
    *h = p->held[p->nheld - 1];
    p->held[p->nheld - 1] = done;
    p->nheld--;
    mf_buf_reset(&p->held[p->nheld].bytes);
    return 0;
}

int mf_pario_sync(mf_pario *p)
{
    if (p->synced == p->placed)
        return 0;
    if (fdatasync(p->out_fd) != 0) {
        snprintf(p->err, sizeof p->err, "rank %d: %s: %s", p->rank, p->cfg->output, strerror(errno));
        return -1;
    }
    p->synced = p->placed;
    return 0;
}

void mf_pario_free(mf_pario *p)
{
    int n = p->cfg && p->cfg->ninputs > 0 ? p->cfg->ninputs : 1;
    for (int i = 0; p->in_fds && i < n; i++)
        if (p->in_fds[i] >= 0)
            close(p->in_fds[i]);
    if (p->out_fd >= 0)
        close(p->out_fd);
    for (size_t i = 0; i < p->cap; i++)
        mf_buf_free(&p->held[i].bytes);
    free(p->held);
    free(p->in_fds);
    free(p->seen);
    memset(p, 0, sizeof *p);
    p->out_fd = -1;
}
