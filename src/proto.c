/* All MPI calls of mpifactor: start-up, non-blocking sends with owned buffers, probed receives. */
#include "mf_proto.h"
#include "mf_sim.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

/* Checks an MPI call; on failure prints the MPI error with file and line and aborts the job. */
#define MF_MPI_CHECK(call)                                                              \
    do {                                                                                \
        mf_sim_enter();                                                                 \
        int mf_rc_ = (call);                                                            \
        mf_sim_leave();                                                                 \
        if (mf_rc_ != MPI_SUCCESS) {                                                    \
            char mf_msg_[MPI_MAX_ERROR_STRING];                                         \
            int mf_len_ = 0;                                                            \
            MPI_Error_string(mf_rc_, mf_msg_, &mf_len_);                                \
            fprintf(stderr, "mpifactor: %s:%d: MPI error: %s\n", __FILE__, __LINE__, mf_msg_); \
            MPI_Abort(MPI_COMM_WORLD, 5);                                               \
        }                                                                               \
    } while (0)

typedef struct pending_send {
    MPI_Request req;
    mf_buf buf;
    int dest, tag; /* req is set once posted: at once, or by mf_proto_release while held back */
} pending_send;

static pending_send *g_pending;
static int g_npending, g_cap;
static int g_holding;   /* sends are queued, posted by mf_proto_release in the order made */
static int g_held_from; /* ... from this index of g_pending on: nothing completes, so nothing moves, while held */
static uint64_t g_sent, g_received;
static int g_rank, g_size = 1;

int mf_proto_init(int *argc, char ***argv)
{
    mf_sim_start();
    if (MPI_Init(argc, argv) != MPI_SUCCESS)
        return -1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MF_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &g_rank));
    MF_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &g_size));
    return 0;
}

void mf_proto_finalize(void)
{
    mf_proto_flush();
    free(g_pending);
    g_pending = NULL;
    g_cap = 0;
    mf_sim_enter(); /* the last of this rank's own work, charged */
    mf_sim_finish();
    MPI_Finalize();
}

void mf_proto_allgather(const void *mine, size_t len, void *all)
{
    if ((size_t)g_size * len > INT_MAX) { /* what rank 0 gathers, and broadcasts */
        fprintf(stderr, "mpifactor: exchange of %zu bytes is too large\n", (size_t)g_size * len);
        MPI_Abort(MPI_COMM_WORLD, 5);
    }
    /* gathered at rank 0, then broadcast: SMPI's MPI_Allgather (each rank's bytes to every other at once) ran
       for minutes of real time at 256 simulated ranks; a gather and a broadcast cost two tree traversals */
    MF_MPI_CHECK(MPI_Gather(mine, (int)len, MPI_BYTE, all, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD));
    mf_proto_bcast(all, (size_t)g_size * len);
}

void mf_proto_bcast(void *data, size_t len)
{
    if (len > INT_MAX) {
        fprintf(stderr, "mpifactor: broadcast of %zu bytes is too large\n", len);
        MPI_Abort(MPI_COMM_WORLD, 5);
    }
    MF_MPI_CHECK(MPI_Bcast(data, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD));
}

int mf_proto_rank(void)
{
    return g_rank;
}

int mf_proto_size(void)
{
    return g_size;
}

void mf_proto_abort(int code)
{
    MPI_Abort(MPI_COMM_WORLD, code);
}

static void post(pending_send *s)
{
    MF_MPI_CHECK(MPI_Isend(s->buf.data, (int)s->buf.len, MPI_BYTE, s->dest, s->tag, MPI_COMM_WORLD, &s->req));
}

void mf_proto_send(int dest, mf_tag tag, mf_buf *b)
{
    if (b->len > INT_MAX) {
        fprintf(stderr, "mpifactor: message of %zu bytes is too large\n", b->len);
        MPI_Abort(MPI_COMM_WORLD, 5);
    }
    if (g_npending == g_cap) {
        int cap = g_cap ? 2 * g_cap : 16;
        pending_send *p = realloc(g_pending, (size_t)cap * sizeof *p);
        if (!p)
            MPI_Abort(MPI_COMM_WORLD, 5);
        g_pending = p;
        g_cap = cap;
    }
    pending_send *s = &g_pending[g_npending++];
    s->buf = *b;
    s->dest = dest;
    s->tag = (int)tag;
    mf_buf_init(b);
    g_sent += s->buf.len;
    if (!g_holding)
        post(s);
}

void mf_proto_hold(void)
{
    if (!g_holding)
        g_held_from = g_npending;
    g_holding = 1;
}

void mf_proto_release(void)
{
    if (!g_holding)
        return;
    g_holding = 0;
    for (int i = g_held_from; i < g_npending; i++) /* only the sends made while held: a burst, not every pending one */
        post(&g_pending[i]);
}

int mf_proto_progress(void)
{
    if (g_holding)
        return g_npending; /* completing one would reorder the queue */
    for (int i = 0; i < g_npending;) {
        int done = 0;
        MF_MPI_CHECK(MPI_Test(&g_pending[i].req, &done, MPI_STATUS_IGNORE));
        if (done) {
            mf_buf_free(&g_pending[i].buf);
            g_pending[i] = g_pending[--g_npending];
        } else {
            i++;
        }
    }
    return g_npending;
}

void mf_proto_flush(void)
{
    mf_proto_release();
    for (int i = 0; i < g_npending; i++) {
        MF_MPI_CHECK(MPI_Wait(&g_pending[i].req, MPI_STATUS_IGNORE));
        mf_buf_free(&g_pending[i].buf);
    }
    g_npending = 0;
}

int mf_proto_poll(int *src, int *tag, mf_buf *b)
{
    int flag = 0;
    MPI_Status st;
    MF_MPI_CHECK(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st));
    if (!flag)
        return 0;
    int count = 0;
    MF_MPI_CHECK(MPI_Get_count(&st, MPI_BYTE, &count));
    mf_buf_reset(b);
    mf_buf_reserve(b, (size_t)count + 1);
    MF_MPI_CHECK(MPI_Recv(b->data, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
                          MPI_STATUS_IGNORE));
    b->len = (size_t)count;
    g_received += (uint64_t)count;
    *src = st.MPI_SOURCE;
    *tag = st.MPI_TAG;
    return 1;
}

uint64_t mf_proto_node_id(void)
{
    char name[MPI_MAX_PROCESSOR_NAME + 1] = "";
    int len = 0;
    MF_MPI_CHECK(MPI_Get_processor_name(name, &len));
    uint64_t h = UINT64_C(14695981039346656037);
    for (int i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * UINT64_C(1099511628211);
    return h;
}

uint64_t mf_proto_bytes_sent(void)
{
    return g_sent;
}

uint64_t mf_proto_bytes_received(void)
{
    return g_received;
}
