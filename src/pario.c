/* Worker side of --parallel-io: input slices read by offset, held outputs written at their place. */
#define _POSIX_C_SOURCE 200809L
#include "mf_pario.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "mf_codec.h"
#include "mf_input.h"

#define SHARED_HINT "--parallel-io needs every rank to see the same files (a shared file system)"

/* Adds what identifies the file at path (dev, inode; with its contents' size and time) to the hash state.
   Returns false when it cannot be seen. */
static bool add_identity(XXH3_state_t *h, const char *path, bool contents)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    uint64_t v[5] = {(uint64_t)st.st_dev, (uint64_t)st.st_ino, contents ? (uint64_t)st.st_size : 0,
                     contents ? (uint64_t)st.st_mtim.tv_sec : 0, contents ? (uint64_t)st.st_mtim.tv_nsec : 0};
    XXH3_64bits_update(h, v, sizeof v);
    return true;
}

uint64_t mf_pario_identity(const mf_config *cfg)
{
    XXH3_state_t *h = XXH3_createState();
    if (!h)
        return 0;
    XXH3_64bits_reset(h);
    bool seen = true;
    for (int i = 0; i < cfg->ninputs && seen; i++)
        if (strcmp(cfg->inputs[i], "-") != 0)
            seen = add_identity(h, cfg->inputs[i], true);
    if (seen && cfg->output) { /* the output may not exist yet: its directory and name */
        const char *slash = strrchr(cfg->output, '/');
        char dir[4096];
        const char *name = slash ? slash + 1 : cfg->output;
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else if ((size_t)(slash - cfg->output) < sizeof dir)
            snprintf(dir, sizeof dir, "%.*s", slash == cfg->output ? 1 : (int)(slash - cfg->output), cfg->output);
        else
            seen = false;
        seen = seen && add_identity(h, dir, false);
        XXH3_64bits_update(h, name, strlen(name) + 1);
    }
    uint64_t id = XXH3_64bits_digest(h);
    XXH3_freeState(h);
    return seen ? (id ? id : 1) : 0;
}

bool mf_pario_decide(const mf_config *cfg, int ranks, uint64_t min_id, uint64_t max_id)
{
    if (cfg->parallel_io_mode != MF_PIO_AUTO)
        return cfg->parallel_io_mode == MF_PIO_ON;
    return cfg->output && ranks > 1 && min_id == max_id && min_id != 0;
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

int mf_pario_rest_by_ref(mf_buf *rest, const mf_text_ref *orig)
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
