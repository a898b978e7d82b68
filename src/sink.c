/* Rank 0's output side: results in input order to the output, their messages to stderr, checkpoints. */
#define _POSIX_C_SOURCE 200809L
#include "mf_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mf_codec.h"
#include "mf_output.h"

#define OUT_FLUSH_BYTES (1u << 20)
#define DIRECT_WRITE_BYTES (1u << 16) /* results this large are written from the message, not copied */
#define COMMIT_EVERY_S 1.0

static int fail(mf_sink *s)
{
    fprintf(stderr, "mpifactor: %s\n", s->err);
    s->io_error = true;
    return -1;
}

/* Fails with "PATH: strerror(errno)". */
static int fail_errno(mf_sink *s, const char *path)
{
    snprintf(s->err, sizeof s->err, "%s: %s", path, strerror(errno));
    return fail(s);
}

int mf_sink_open(mf_sink *s, const mf_config *cfg, uint64_t *resume_done, double now)
{
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->out_fd = STDOUT_FILENO;
    s->ckpt.fd = -1;
    s->last_commit = now;
    mf_buf_init(&s->out);
    *resume_done = 0;
    if (cfg->checkpoint) {
        char opts[128];
        uint64_t fp;
        snprintf(opts, sizeof opts, "format=%s max-divisor=%llu", mf_format_name(cfg->format),
                 (unsigned long long)cfg->max_divisor);
        /* the lock first: a second run on the same checkpoint is refused before it reads anything */
        if (mf_checkpoint_lock(&s->ckpt, cfg->checkpoint, s->err, sizeof s->err) != 0 ||
            mf_fingerprint(&fp, cfg->inputs, cfg->ninputs, opts, s->err, sizeof s->err) != 0 ||
            mf_checkpoint_load(&s->ckpt, cfg->checkpoint, fp, s->err, sizeof s->err) != 0) {
            mf_checkpoint_close(&s->ckpt);
            return fail(s);
        }
        s->have_ckpt = true;
        *resume_done = s->ckpt.done;
        s->out_bytes = s->ckpt.out_bytes;
    }
    if (cfg->output) {
        s->out_fd = open(cfg->output, O_WRONLY | O_CREAT | (s->have_ckpt ? 0 : O_TRUNC), 0644);
        if (s->out_fd < 0)
            return fail_errno(s, cfg->output);
        if (s->have_ckpt) {
            struct stat st;
            if (fstat(s->out_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
                snprintf(s->err, sizeof s->err, "%s: --checkpoint needs a regular output file", cfg->output);
                return fail(s);
            }
            if ((uint64_t)st.st_size < s->out_bytes) {
                snprintf(s->err, sizeof s->err, "%s: output is shorter (%lld bytes) than checkpoint %s "
                         "records (%llu bytes); cannot resume", cfg->output, (long long)st.st_size,
                         cfg->checkpoint, (unsigned long long)s->out_bytes);
                return fail(s);
            }
            if (ftruncate(s->out_fd, (off_t)s->out_bytes) != 0 || lseek(s->out_fd, 0, SEEK_END) < 0)
                return fail_errno(s, cfg->output);
        }
    }
    if (s->out_bytes == 0) {
        mf_output_header(&s->out, cfg->format);
        s->out_bytes = s->out.len;
    }
    s->written = *resume_done;
    return 0;
}

/* Writes the buffered output to the file. */
static void flush_output(mf_sink *s)
{
    if (s->out.len == 0 || s->io_error)
        return;
    if (mf_write_all(s->out_fd, s->out.data, s->out.len) != 0) {
        snprintf(s->err, sizeof s->err, "%s: write error: %s", s->cfg->output ? s->cfg->output : "stdout",
                 strerror(errno));
        fail(s);
    }
    mf_buf_reset(&s->out);
}

int mf_sink_write(mf_sink *s, mf_buf *result)
{
    mf_result_info r;
    if (mf_result_read(result, &r, NULL) != 0 || r.kind != MF_UNIT_TEXT || r.escalated || r.has_rest)
        return -1; /* the master strips partial numbers and rests before results reach the sink */
    if (r.msgs_len) {
        fflush(stdout);
        fwrite(r.msgs, 1, r.msgs_len, stderr);
    }
    s->invalid += r.invalid;
    s->input_bytes += r.bytes;
    s->verify_failures += r.verify_failures;
    s->written += r.numbers;
    s->written_now += r.numbers;
    s->out_bytes += r.out_len;
    if (s->io_error)
        return 0;
    if (r.out_len >= DIRECT_WRITE_BYTES) { /* large: write it straight from the message */
        flush_output(s);
        if (!s->io_error && mf_write_all(s->out_fd, r.out, r.out_len) != 0) {
            snprintf(s->err, sizeof s->err, "%s: write error: %s", s->cfg->output ? s->cfg->output : "stdout",
                     strerror(errno));
            fail(s);
        }
        return 0;
    }
    mf_buf_put(&s->out, r.out, r.out_len);
    if (s->out.len >= OUT_FLUSH_BYTES)
        flush_output(s);
    return 0;
}

void mf_sink_commit(mf_sink *s, double now)
{
    flush_output(s);
    s->last_commit = now;
    if (!s->have_ckpt || s->io_error)
        return;
    s->err[0] = '\0';
    if (fsync(s->out_fd) != 0 ||
        mf_checkpoint_commit(&s->ckpt, s->written, s->out_bytes, s->err, sizeof s->err) != 0) {
        if (!s->err[0])
            snprintf(s->err, sizeof s->err, "%s: %s", s->cfg->output, strerror(errno));
        fail(s);
    }
}

void mf_sink_tick(mf_sink *s, double now)
{
    if (s->have_ckpt && now - s->last_commit >= COMMIT_EVERY_S)
        mf_sink_commit(s, now);
}

int mf_sink_close(mf_sink *s, double now)
{
    int rc = 0;
    if (s->out_fd >= 0)
        mf_sink_commit(s, now);
    if (s->out_fd >= 0 && s->out_fd != STDOUT_FILENO && close(s->out_fd) != 0) {
        fprintf(stderr, "mpifactor: %s: %s\n", s->cfg->output, strerror(errno));
        rc = -1;
    }
    s->out_fd = -1;
    if (s->have_ckpt)
        mf_checkpoint_close(&s->ckpt);
    s->have_ckpt = false;
    mf_buf_free(&s->out);
    return rc;
}
