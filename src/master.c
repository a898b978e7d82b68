/* Master rank: streams the input into work units, keeps every worker supplied, factorizes its own
   units between message checks (so no core idles), and writes results in input order. */
#define _POSIX_C_SOURCE 200809L
#include "mf_master.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mf_checkpoint.h"
#include "mf_codec.h"
#include "mf_input.h"
#include "mf_output.h"
#include "mf_progress.h"
#include "mf_proto.h"
#include "mf_reorder.h"
#include "mf_runner.h"
#include "mf_sched.h"
#include "mf_signals.h"
#include "mf_stats.h"
#include "mf_status.h"
#include "mf_verify.h"

#define MASTER_SLICE (UINT64_C(1) << 18) /* own candidates between message checks */
#define OUT_FLUSH_BYTES (1u << 20)
#define COMMIT_EVERY_S 1.0

typedef struct master {
    const mf_config *cfg;
    int ranks;
    mf_input in;
    bool input_done;
    mf_sched sched;
    mf_reorder reorder;
    uint64_t next_unit;       /* id of the next unit to create */
    uint64_t next_position;   /* input position of the next number to read */
    int *inflight;            /* units held by each worker */
    mf_runner own;            /* the master's own unit */
    mf_buf scratch;           /* a unit being built, or a received message */
    mf_value value;
    mf_factored record;
    int out_fd;
    mf_buf out;
    uint64_t out_bytes;       /* bytes of results in the output file, flushed or not */
    uint64_t written;         /* numbers written in total (including a resumed prefix) */
    uint64_t written_now;     /* numbers written by this run */
    mf_checkpoint ckpt;
    bool have_ckpt;
    double last_commit;
    mf_progress progress;
    mf_rank_stats self;
    mf_rank_stats *per_rank;
    uint64_t units_sent;
    bool io_error, verify_failed, interrupted;
    char err[512];
} master;

/* Prints an error message for the user. */
static void complain(const char *msg)
{
    fprintf(stderr, "mpifactor: %s\n", msg);
}

/* Writes the buffered output to the file. */
static void flush_output(master *m)
{
    if (m->out.len == 0 || m->io_error)
        return;
    if (mf_write_all(m->out_fd, m->out.data, m->out.len) != 0) {
        snprintf(m->err, sizeof m->err, "%s: write error: %s", m->cfg->output ? m->cfg->output : "stdout",
                 strerror(errno));
        complain(m->err);
        m->io_error = true;
    }
    mf_buf_reset(&m->out);
}

/* Flushes the output, syncs it and records the finished prefix in the checkpoint. */
static void commit(master *m)
{
    flush_output(m);
    m->last_commit = mf_now();
    if (!m->have_ckpt || m->io_error)
        return;
    if (fsync(m->out_fd) != 0 ||
        mf_checkpoint_commit(&m->ckpt, m->written, m->out_bytes, m->err, sizeof m->err) != 0) {
        if (!m->err[0])
            snprintf(m->err, sizeof m->err, "%s: %s", m->cfg->output, strerror(errno));
        complain(m->err);
        m->io_error = true;
    }
}

/* Formats every result that is next in input order. */
static void write_ready(master *m)
{
    mf_buf *res;
    while ((res = mf_reorder_ready(&m->reorder)) != NULL) {
        mf_result_header h;
        if (mf_result_read_header(res, &h) != 0) {
            complain("malformed result message");
            mf_proto_abort(MF_EXIT_INTERNAL);
        }
        for (uint32_t i = 0; i < h.count; i++) {
            if (mf_result_next(res, &m->record) != 0) {
                complain("malformed result message");
                mf_proto_abort(MF_EXIT_INTERNAL);
            }
            if (m->cfg->verify && mf_verify(&m->record, m->err, sizeof m->err) != 0) {
                complain(m->err);
                m->verify_failed = true;
            }
            size_t before = m->out.len;
            mf_output_record(&m->out, m->cfg->format, &m->record);
            m->out_bytes += m->out.len - before;
        }
        m->written += h.count;
        m->written_now += h.count;
        mf_reorder_advance(&m->reorder);
        if (m->out.len >= OUT_FLUSH_BYTES)
            flush_output(m);
    }
    if (m->have_ckpt && mf_now() - m->last_commit >= COMMIT_EVERY_S)
        commit(m);
}

/* Estimated numbers left in the input, or -1 when unknown. */
static double remaining_estimate(const master *m)
{
    uint64_t consumed = mf_input_consumed(&m->in);
    if (m->in.bytes_total == 0 || consumed == 0 || m->next_position == 0)
        return -1;
    if (consumed >= m->in.bytes_total)
        return 0;
    return (double)m->next_position * (double)(m->in.bytes_total - consumed) / (double)consumed;
}

/* Builds the next unit into m->scratch. Returns true when a unit with at least one number exists. */
static bool make_unit(master *m)
{
    if (m->input_done || m->io_error || !mf_reorder_has_room(&m->reorder, m->next_unit))
        return false;
    uint32_t size = mf_sched_next_size(&m->sched, remaining_estimate(m));
    mf_unit_begin(&m->scratch, m->next_unit, m->next_position);
    uint32_t count = 0;
    while (count < size) {
        int rc = mf_input_next(&m->in, &m->value, m->err, sizeof m->err);
        if (rc == MF_INPUT_INTERRUPTED) {
            if (mf_signals_pending())
                break; /* the main loop sees the signal and stops */
            continue;
        }
        if (rc < 0) {
            complain(m->err);
            m->io_error = true;
            m->input_done = true;
            break;
        }
        if (rc == 0) {
            m->input_done = true;
            break;
        }
        mf_unit_add(&m->scratch, &m->value);
        count++;
    }
    if (count == 0)
        return false;
    m->next_unit++;
    m->next_position += count;
    m->units_sent++;
    return true;
}

/* Handles one message received from a worker. */
static void on_message(master *m, int src, int tag)
{
    if (tag == MF_TAG_RESULT) {
        mf_result_header h;
        if (mf_result_read_header(&m->scratch, &h) != 0 || mf_reorder_put(&m->reorder, h.id, &m->scratch) != 0) {
            fprintf(stderr, "mpifactor: unexpected result message from rank %d\n", src);
            mf_proto_abort(MF_EXIT_INTERNAL);
        }
        mf_sched_observe(&m->sched, h.count, h.busy_s);
        m->inflight[src]--;
    } else if (tag == MF_TAG_STATS) {
        mf_codec_get_stats(&m->scratch, &m->per_rank[src]);
        m->inflight[src] = -1; /* finished */
    } else {
        fprintf(stderr, "mpifactor: unexpected message tag %d from rank %d\n", tag, src);
        mf_proto_abort(MF_EXIT_INTERNAL);
    }
}

static void receive_all(master *m)
{
    int src, tag;
    while (mf_proto_poll(&src, &tag, &m->scratch))
        on_message(m, src, tag);
}

/* Fills every worker up to its in-flight quota. Returns true when it sent anything. */
static bool dispatch(master *m)
{
    bool sent = false;
    /* round-robin, one unit per worker and round, so few units still spread over all workers */
    for (int round = 1; round <= MF_UNITS_IN_FLIGHT; round++) {
        for (int w = 1; w < m->ranks; w++) {
            if (m->inflight[w] >= round || !make_unit(m))
                continue;
            mf_proto_send(w, MF_TAG_UNIT, &m->scratch);
            m->inflight[w]++;
            sent = true;
        }
    }
    return sent;
}

static bool workers_full(const master *m)
{
    for (int w = 1; w < m->ranks; w++)
        if (m->inflight[w] < MF_UNITS_IN_FLIGHT)
            return false;
    return true;
}

/* Does one slice of the master's own work. Returns true when there was work to do. */
static bool own_work(master *m)
{
    if (!m->own.active) {
        if (!workers_full(m) || !make_unit(m))
            return false;
        mf_runner_load(&m->own, &m->scratch);
    }
    if (mf_runner_step(&m->own, MASTER_SLICE, NULL)) {
        m->self.busy_s += m->own.busy_s;
        m->self.units++;
        m->self.numbers += m->own.hdr.count;
        m->self.candidates += m->own.candidates;
        mf_sched_observe(&m->sched, m->own.hdr.count, m->own.busy_s);
        mf_reorder_put(&m->reorder, m->own.hdr.id, &m->own.result);
    }
    return true;
}

static bool stop_requested(master *m, double start)
{
    if (mf_signals_pending() || (m->cfg->time_limit > 0 && mf_now() - start >= m->cfg->time_limit)) {
        m->interrupted = true;
        return true;
    }
    return false;
}

/* Opens the output (and checkpoint) and skips the finished prefix of the input on resume. */
static int open_output(master *m)
{
    const mf_config *cfg = m->cfg;
    uint64_t resume_done = 0;
    m->out_fd = STDOUT_FILENO;
    if (cfg->checkpoint) {
        char opts[128];
        uint64_t fp;
        snprintf(opts, sizeof opts, "format=%s max-divisor=%llu", mf_format_name(cfg->format),
                 (unsigned long long)cfg->max_divisor);
        if (mf_checkpoint_lock(&m->ckpt, cfg->checkpoint, m->err, sizeof m->err) != 0 ||
            mf_fingerprint(&fp, cfg->inputs, cfg->ninputs, opts, m->err, sizeof m->err) != 0 ||
            mf_checkpoint_load(&m->ckpt, cfg->checkpoint, fp, m->err, sizeof m->err) != 0) {
            mf_checkpoint_close(&m->ckpt);
            complain(m->err);
            return -1;
        }
        m->have_ckpt = true;
        resume_done = m->ckpt.done;
        m->out_bytes = m->ckpt.out_bytes;
    }
    if (cfg->output) {
        int flags = O_WRONLY | O_CREAT | (m->have_ckpt ? 0 : O_TRUNC);
        m->out_fd = open(cfg->output, flags, 0644);
        if (m->out_fd < 0) {
            snprintf(m->err, sizeof m->err, "%s: %s", cfg->output, strerror(errno));
            complain(m->err);
            return -1;
        }
        if (m->have_ckpt) {
            struct stat st;
            if (fstat(m->out_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
                snprintf(m->err, sizeof m->err, "%s: --checkpoint needs a regular output file", cfg->output);
                complain(m->err);
                return -1;
            }
            if ((uint64_t)st.st_size < m->out_bytes) {
                snprintf(m->err, sizeof m->err, "%s: output is shorter (%lld bytes) than checkpoint %s "
                         "records (%llu bytes); cannot resume", cfg->output, (long long)st.st_size,
                         cfg->checkpoint, (unsigned long long)m->out_bytes);
                complain(m->err);
                return -1;
            }
            if (ftruncate(m->out_fd, (off_t)m->out_bytes) != 0 || lseek(m->out_fd, 0, SEEK_END) < 0) {
                snprintf(m->err, sizeof m->err, "%s: %s", cfg->output, strerror(errno));
                complain(m->err);
                return -1;
            }
        }
    }
    if (m->out_bytes == 0) {
        mf_output_header(&m->out, cfg->format);
        m->out_bytes = m->out.len;
    }
    /* skip the numbers a previous run finished (their bad tokens are reported again) */
    while (m->next_position < resume_done) {
        int rc = mf_input_next(&m->in, &m->value, m->err, sizeof m->err);
        if (rc == MF_INPUT_INTERRUPTED)
            continue;
        if (rc <= 0) {
            if (rc < 0)
                complain(m->err);
            else
                fprintf(stderr, "mpifactor: %s: input has fewer numbers than the checkpoint records\n",
                        cfg->checkpoint);
            return -1;
        }
        m->next_position++;
    }
    m->written = resume_done;
    return 0;
}

/* Stops every worker, collecting their last results and statistics. */
static void stop_workers(master *m, int exit_code)
{
    for (int w = 1; w < m->ranks; w++) {
        mf_buf_reset(&m->scratch);
        mf_buf_put_u32(&m->scratch, (uint32_t)exit_code);
        mf_proto_send(w, MF_TAG_STOP, &m->scratch);
    }
    for (;;) {
        int left = 0;
        for (int w = 1; w < m->ranks; w++)
            left += m->inflight[w] >= 0;
        if (!left)
            break;
        int src, tag;
        if (mf_proto_poll(&src, &tag, &m->scratch))
            on_message(m, src, tag);
        else
            mf_nap(100e-6);
        mf_proto_progress();
    }
    mf_proto_flush();
}

static int exit_code_of(const master *m)
{
    if (m->io_error)
        return MF_EXIT_USAGE;
    if (m->verify_failed)
        return MF_EXIT_VERIFY;
    if (m->interrupted)
        return MF_EXIT_INTERRUPTED;
    if (m->in.invalid)
        return MF_EXIT_INVALID;
    return MF_EXIT_OK;
}

static void write_stats(master *m, double wall, int exit_code)
{
    FILE *f = fopen(m->cfg->stats_path, "w");
    if (!f) {
        fprintf(stderr, "mpifactor: %s: %s\n", m->cfg->stats_path, strerror(errno));
        return;
    }
    m->self.bytes_sent = mf_proto_bytes_sent();
    m->self.bytes_received = mf_proto_bytes_received();
    m->per_rank[0] = m->self;
    mf_run_stats run = {
        .version = MF_VERSION, .kernel = mf_u64_kernel_name(), .ranks = m->ranks, .wall_s = wall,
        .numbers = m->written_now, .invalid_tokens = m->in.invalid, .units = m->units_sent,
        .exit_code = exit_code,
    };
    mf_stats_write_json(f, &run, m->per_rank);
    if (fclose(f) != 0)
        fprintf(stderr, "mpifactor: %s: write error\n", m->cfg->stats_path);
}

int mf_master_run(const mf_config *cfg, int ranks)
{
    double start = mf_now();
    master m;
    memset(&m, 0, sizeof m);
    m.cfg = cfg;
    m.ranks = ranks;
    m.out_fd = -1;
    m.ckpt.fd = -1;
    mf_rank_stats_init(&m.self, 0);
    m.inflight = calloc((size_t)ranks, sizeof *m.inflight);
    m.per_rank = calloc((size_t)ranks, sizeof *m.per_rank);
    mf_sched_init(&m.sched, ranks, cfg->unit_size);
    if (!m.inflight || !m.per_rank || mf_reorder_init(&m.reorder, mf_sched_window(ranks)) != 0) {
        complain("out of memory");
        mf_proto_abort(MF_EXIT_INTERNAL);
    }
    mf_runner_init(&m.own, cfg->max_divisor);
    mf_buf_init(&m.scratch);
    mf_buf_init(&m.out);
    mf_value_init(&m.value);
    mf_factored_init(&m.record);
    mf_progress_init(&m.progress, mf_progress_wanted(cfg->progress) ? stderr : NULL, start);
    m.last_commit = start;

    if (mf_input_open(&m.in, cfg->inputs, cfg->ninputs, stderr, m.err, sizeof m.err) != 0) {
        complain(m.err);
        m.io_error = true;
    } else if (open_output(&m) != 0) {
        m.io_error = true;
    }

    double nap = 20e-6;
    while (!m.io_error && !stop_requested(&m, start)) {
        receive_all(&m);
        write_ready(&m);
        bool busy = dispatch(&m);
        if (m.input_done && m.reorder.next == m.next_unit)
            break; /* everything read, handed out, returned and written */
        busy |= own_work(&m);
        mf_proto_progress();
        mf_progress_update(&m.progress, mf_now(), m.written, m.next_position,
                           m.in.bytes_total ? (double)mf_input_consumed(&m.in) / (double)m.in.bytes_total : -1);
        if (busy) {
            nap = 20e-6;
        } else {
            double t0 = mf_now();
            mf_nap(nap);
            if (nap < 1e-3)
                nap *= 2;
            m.self.idle_s += mf_now() - t0;
        }
    }
    if (m.interrupted)
        fprintf(stderr, "mpifactor: stopping (%s); %s\n",
                mf_signals_pending() ? "signal received" : "time limit reached",
                m.have_ckpt ? "run the same command again to resume" : "use --checkpoint to make runs resumable");
    int code = exit_code_of(&m);
    stop_workers(&m, code);
    if (!m.io_error)
        write_ready(&m); /* results that arrived while stopping */
    if (m.out_fd >= 0)
        commit(&m);
    code = exit_code_of(&m);
    double wall = mf_now() - start;
    mf_progress_finish(&m.progress, mf_now(), m.written);
    if (cfg->stats_path)
        write_stats(&m, wall, code);

    if (m.out_fd >= 0 && m.out_fd != STDOUT_FILENO && close(m.out_fd) != 0) {
        fprintf(stderr, "mpifactor: %s: %s\n", cfg->output, strerror(errno));
        code = MF_EXIT_USAGE;
    }
    if (m.have_ckpt)
        mf_checkpoint_close(&m.ckpt);
    mf_input_close(&m.in); /* also right after a failed open */
    mf_runner_free(&m.own);
    mf_reorder_free(&m.reorder);
    mf_buf_free(&m.scratch);
    mf_buf_free(&m.out);
    mf_value_clear(&m.value);
    mf_factored_clear(&m.record);
    free(m.inflight);
    free(m.per_rank);
    return code;
}
