/* Background writer: a thread writes queued output buffers in order while rank 0 goes on serving. */
#define _GNU_SOURCE /* pthread_setaffinity_np */
#include "mf_writer.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

/* Lets the calling thread run on every online CPU (as far as the cpuset allows). mpirun binds each rank to
   one core: bound there, the writer would take its time from the rank's own work (or its polling) while
   the pipe's reader waits on another core. Failure only leaves the binding as it was. */
static void unbind_thread(void)
{
#ifdef CPU_SETSIZE
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t all;
    CPU_ZERO(&all);
    for (long c = 0; c < n && c < CPU_SETSIZE; c++)
        CPU_SET((int)c, &all);
    (void)pthread_setaffinity_np(pthread_self(), sizeof all, &all);
#endif
}

static void *writer_main(void *arg)
{
    mf_writer *w = arg;
    unbind_thread();
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->head == w->tail && !w->stop)
            pthread_cond_wait(&w->changed, &w->lock);
        if (w->head == w->tail)
            break; /* stop asked and nothing queued */
        mf_buf *b = &w->slot[w->head % MF_WRITER_SLOTS];
        bool failed = w->error != 0;
        pthread_mutex_unlock(&w->lock); /* the slot at head is this thread's until head moves on */
        int err = 0;
        if (!failed && mf_write_all(w->fd, b->data, b->len) != 0)
            err = errno ? errno : EIO;
        mf_buf_reset(b);
        pthread_mutex_lock(&w->lock);
        if (err && !w->error)
            w->error = err;
        w->head++;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int mf_writer_start(mf_writer *w, int fd)
{
    memset(w, 0, sizeof *w);
    w->fd = fd;
    for (int i = 0; i < MF_WRITER_SLOTS; i++)
        mf_buf_init(&w->slot[i]);
    if (pthread_mutex_init(&w->lock, NULL) != 0)
        return -1;
    if (pthread_cond_init(&w->changed, NULL) != 0) {
        pthread_mutex_destroy(&w->lock);
        return -1;
    }
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_cond_destroy(&w->changed);
        pthread_mutex_destroy(&w->lock);
        return -1;
    }
    w->running = true;
    return 0;
}

/* Returns 0, or -1 with errno set to the first write error. Call with the lock held. */
static int status_locked(const mf_writer *w)
{
    if (!w->error)
        return 0;
    errno = w->error;
    return -1;
}

int mf_writer_put(mf_writer *w, mf_buf *b)
{
    pthread_mutex_lock(&w->lock);
    while (w->tail - w->head == MF_WRITER_SLOTS)
        pthread_cond_wait(&w->changed, &w->lock);
    int rc = status_locked(w);
    if (rc == 0) {
        mf_buf *slot = &w->slot[w->tail % MF_WRITER_SLOTS];
        mf_buf spare = *slot; /* written and empty: its storage goes back to the caller */
        *slot = *b;
        *b = spare;
        w->tail++;
        pthread_cond_broadcast(&w->changed);
    } else {
        mf_buf_reset(b);
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

unsigned mf_writer_queued(mf_writer *w)
{
    pthread_mutex_lock(&w->lock);
    unsigned n = w->tail - w->head;
    pthread_mutex_unlock(&w->lock);
    return n;
}

int mf_writer_drain(mf_writer *w)
{
    pthread_mutex_lock(&w->lock);
    while (w->head != w->tail)
        pthread_cond_wait(&w->changed, &w->lock);
    int rc = status_locked(w);
    pthread_mutex_unlock(&w->lock);
    return rc;
}

int mf_writer_stop(mf_writer *w)
{
    if (!w->running)
        return 0;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    int rc = status_locked(w);
    int err = errno;
    for (int i = 0; i < MF_WRITER_SLOTS; i++)
        mf_buf_free(&w->slot[i]);
    pthread_cond_destroy(&w->changed);
    pthread_mutex_destroy(&w->lock);
    w->running = false;
    errno = err;
    return rc;
}
