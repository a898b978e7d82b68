/* Rank 0's output side: results in input order to the output, their messages to stderr, checkpoints. */
#define _GNU_SOURCE /* memmem */
#include "mf_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mf_codec.h"
#include "mf_input.h"
#include "mf_output.h"
#include "mf_sim.h"

#define OUT_FLUSH_BYTES (1u << 20)
#define DIRECT_WRITE_BYTES (1u << 16) /* results this large are written from the message, not copied */
#define DEFAULT_COMMIT_EVERY_S 1.0     /* when cfg->checkpoint_interval is 0 (a config not from the parser) */

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

/* Opens the output for a fresh run. An existing non-empty regular file (not a link, one name) is replaced
   by a new file with its permissions and owner rather than truncated: ext4 and XFS write a file truncated
   to zero back when it is closed (their guard against empty files after a crash), and rank 0 would wait
   there for the whole output to reach the disk (about 0.1 s for 70 MB here). Anything else (a new name, a
   device, a FIFO, a symbolic or hard link) is opened with O_TRUNC. */
static int open_fresh_output(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_size > 0 && unlink(path) == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, st.st_mode & 07777);
        if (fd >= 0) {
            if (fchmod(fd, st.st_mode & 07777) != 0 || (st.st_uid != geteuid() && fchown(fd, st.st_uid, st.st_gid) != 0))
                errno = 0; /* the new file keeps the default permissions or owner */
            return fd;
        }
    }
    return open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
}

/* Counts the records left unfactored among the first `bytes` bytes of the output at path (a resumed prefix),
   by the mark only such a record carries in each format. Returns 0, or -1 with errno set. */
static int count_unfactored(const char *path, uint64_t bytes, mf_format fmt, uint64_t *count)
{
    const char *mark = fmt == MF_FORMAT_TEXT ? " unfactored:" : fmt == MF_FORMAT_JSONL ? "\"complete\":false" : ",false,";
    size_t mlen = strlen(mark), keep = 0;
    unsigned char buf[(1u << 16) + 32];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    *count = 0;
    for (uint64_t at = 0; at < bytes;) {
        size_t want = bytes - at < (1u << 16) ? (size_t)(bytes - at) : (1u << 16);
        ssize_t n = pread(fd, buf + keep, want, (off_t)at);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            int e = n < 0 ? errno : EIO;
            close(fd);
            errno = e;
            return -1;
        }
        at += (uint64_t)n;
        size_t len = keep + (size_t)n;
        const unsigned char *p = buf, *end = buf + len;
        while ((p = memmem(p, (size_t)(end - p), mark, mlen)) != NULL) {
            (*count)++;
            p += mlen;
        }
        keep = len < mlen - 1 ? len : mlen - 1; /* a mark cut by the buffer's end is found in the next pass */
        memmove(buf, end - keep, keep);
    }
    close(fd);
    return 0;
}

int mf_sink_open(mf_sink *s, const mf_config *cfg, int ranks, uint64_t *resume_done, double now)
{
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->out_fd = STDOUT_FILENO;
    s->ckpt.fd = -1;
    s->last_commit = now;
    mf_buf_init(&s->out);
    mf_buf_init(&s->msg_text);
    s->line_next = 1;
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
        bool resuming = s->have_ckpt && s->out_bytes > 0;
        s->out_fd = resuming ? open(cfg->output, O_WRONLY | O_CREAT, 0644) : open_fresh_output(cfg->output);
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
            if (((uint64_t)st.st_size != s->out_bytes && ftruncate(s->out_fd, (off_t)s->out_bytes) != 0) ||
                lseek(s->out_fd, 0, SEEK_END) < 0)
                return fail_errno(s, cfg->output);
            /* the exit status of a finished bounded run (6) holds for the whole output: count the prefix too
               (only with --max-divisor: without it no run gets far enough to leave a number unfactored) */
            if (cfg->max_divisor && s->out_bytes > 0 &&
                count_unfactored(cfg->output, s->out_bytes, cfg->format, &s->unfactored) != 0)
                return fail_errno(s, cfg->output);
        }
    }
    /* A pipe or a terminal (mpirun forwards stdout from a pseudo-terminal) drains at the reader's pace: a
       thread waits for it, not rank 0. Not under SMPI, where a rank blocking on a thread would stall the
       simulation. */
    struct stat st;
    bool known = fstat(s->out_fd, &st) == 0, regular = known && S_ISREG(st.st_mode);
    if (!mf_sim_enabled() && known && !regular && (!S_ISCHR(st.st_mode) || isatty(s->out_fd)))
        s->threaded = mf_writer_start(&s->writer, s->out_fd) == 0;
    if (cfg->parallel_io && ranks > 1 && cfg->output && regular) {
        s->parallel = true;
        s->flushed = s->out_bytes;
        if (s->have_ckpt) {
            if (mf_ledger_init(&s->ledger, ranks) != 0) {
                snprintf(s->err, sizeof s->err, "out of memory");
                return fail(s);
            }
            s->have_ledger = true;
        }
    }
    if (s->out_bytes == 0) {
        mf_output_header(&s->out, cfg->format);
        s->out_bytes = s->out.len;
    }
    s->written = *resume_done;
    return 0;
}

/* Fails with "OUTPUT: write error: strerror(errno)". */
static void fail_write(mf_sink *s)
{
    snprintf(s->err, sizeof s->err, "%s: write error: %s", s->cfg->output ? s->cfg->output : "stdout",
             strerror(errno));
    fail(s);
}

/* Writes the buffered output to the file, or hands it to the writer thread. */
static void flush_output(mf_sink *s)
{
    if (s->out.len == 0 || s->io_error)
        return;
    int rc;
    if (s->parallel) { /* workers write between the sink's own bytes: each run goes to its offset */
        rc = mf_pwrite_all(s->out_fd, s->out.data, s->out.len, s->flushed);
        s->flushed += s->out.len;
    } else {
        rc = s->threaded ? mf_writer_put(&s->writer, &s->out) : mf_write_all(s->out_fd, s->out.data, s->out.len);
    }
    if (rc != 0)
        fail_write(s);
    mf_buf_reset(&s->out);
}

int mf_sink_write(mf_sink *s, mf_buf *result, mf_placement *place)
{
    mf_result_info r;
    place->holder = 0;
    if (mf_result_read(result, &r, NULL) != 0 || r.kind != MF_UNIT_TEXT || r.escalated ||
        (r.held && !s->parallel))
        return -1; /* the master strips partial numbers before results reach the sink */
    if (r.held) {
        flush_output(s); /* the sink's own bytes before it */
        if (s->have_ledger && mf_ledger_place(&s->ledger, r.holder, s->written, s->out_bytes) != 0)
            return -1;
        place->holder = r.holder;
        place->id = r.id;
        place->offset = s->out_bytes;
        s->flushed = s->out_bytes + r.out_len;
    }
    const unsigned char *msgs = r.msgs;
    size_t msgs_len = r.msgs_len;
    if (r.relative) { /* the line numbers of its messages are known now: the results before it are written */
        if (r.file != s->line_file) {
            s->line_file = r.file;
            s->line_next = 1;
        }
        mf_buf_reset(&s->msg_text);
        if (mf_msg_render(r.msgs, r.msgs_len, mf_input_name(s->cfg->inputs, s->cfg->ninputs, r.file), s->line_next,
                          &s->msg_text) != 0)
            return -1;
        s->line_next += r.newlines;
        msgs = s->msg_text.data;
        msgs_len = s->msg_text.len;
    }
    if (msgs_len) {
        fflush(stdout);
        fwrite(msgs, 1, msgs_len, stderr);
    }
    s->invalid += r.invalid;
    s->input_bytes += r.bytes;
    s->verify_failures += r.verify_failures;
    s->unfactored += r.unfactored;
    s->written += r.numbers;
    s->written_now += r.numbers;
    s->out_bytes += r.out_len;
    if (s->io_error || r.held)
        return 0;
    if (r.out_len >= DIRECT_WRITE_BYTES && !s->threaded && !s->parallel) { /* large: write it straight from the message */
        flush_output(s);
        if (!s->io_error && mf_write_all(s->out_fd, r.out, r.out_len) != 0)
            fail_write(s);
        return 0;
    }
    mf_buf_put(&s->out, r.out, r.out_len);
    if (s->out.len >= OUT_FLUSH_BYTES)
        flush_output(s);
    return 0;
}

void mf_sink_lines_from(mf_sink *s, uint32_t file, uint64_t line)
{
    s->line_file = file;
    s->line_next = line;
}

bool mf_sink_backlogged(mf_sink *s)
{
    return s->threaded && mf_writer_queued(&s->writer) >= MF_WRITER_SLOTS / 4;
}

void mf_sink_commit(mf_sink *s, double now)
{
    flush_output(s);
    if (s->threaded && !s->io_error && mf_writer_drain(&s->writer) != 0)
        fail_write(s);
    s->last_commit = now;
    if (!s->have_ckpt || s->io_error)
        return;
    s->err[0] = '\0';
    uint64_t numbers = s->written, bytes = s->out_bytes;
    if (s->have_ledger) /* only the prefix that the workers confirmed written */
        mf_ledger_durable(&s->ledger, s->written, s->out_bytes, &numbers, &bytes);
    if (numbers == s->ckpt.done && bytes == s->ckpt.out_bytes && s->ckpt.resumed)
        return; /* the last record says it already (a finished job run again leaves both files untouched) */
    if (fsync(s->out_fd) != 0 || mf_checkpoint_commit(&s->ckpt, numbers, bytes, s->err, sizeof s->err) != 0) {
        if (!s->err[0])
            snprintf(s->err, sizeof s->err, "%s: %s", s->cfg->output, strerror(errno));
        fail(s);
    }
}

int mf_sink_confirm(mf_sink *s, int rank, uint64_t count)
{
    return s->have_ledger ? mf_ledger_confirm(&s->ledger, rank, count) : 0;
}

void mf_sink_confirm_all(mf_sink *s)
{
    if (s->have_ledger)
        mf_ledger_confirm_all(&s->ledger);
}

void mf_sink_tick(mf_sink *s, double now)
{
    double every = s->cfg->checkpoint_interval > 0 ? s->cfg->checkpoint_interval : DEFAULT_COMMIT_EVERY_S;
    if (s->have_ckpt && now - s->last_commit >= every)
        mf_sink_commit(s, now);
}

int mf_sink_close(mf_sink *s, double now)
{
    int rc = 0;
    if (s->out_fd >= 0)
        mf_sink_commit(s, now);
    if (s->threaded) {
        mf_writer_stop(&s->writer); /* drained by the commit: a failure was reported there */
        s->threaded = false;
    }
    if (s->out_fd >= 0 && s->out_fd != STDOUT_FILENO && close(s->out_fd) != 0) {
        fprintf(stderr, "mpifactor: %s: %s\n", s->cfg->output, strerror(errno));
        rc = -1;
    }
    s->out_fd = -1;
    if (s->have_ckpt)
        mf_checkpoint_close(&s->ckpt);
    s->have_ckpt = false;
    if (s->have_ledger)
        mf_ledger_free(&s->ledger);
    s->have_ledger = false;
    mf_buf_free(&s->out);
    mf_buf_free(&s->msg_text);
    return rc;
}

void mf_sink_note_finished(const mf_sink *s)
{
    if (s->have_ckpt && s->ckpt.resumed && s->written_now == 0 && !s->io_error)
        fprintf(stderr, "mpifactor: %s: already complete (%llu numbers); nothing to do\n", s->cfg->checkpoint,
                (unsigned long long)s->written);
}
