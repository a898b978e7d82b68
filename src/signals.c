/* Signal handlers that only record a stop request. */
#define _POSIX_C_SOURCE 200809L
#include "mf_signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t g_signal;

static void on_stop_signal(int sig)
{
    if (!g_signal)
        g_signal = sig;
}

void mf_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    /* a closed output pipe becomes a write error (exit 2) instead of killing rank 0 mid-job */
    signal(SIGPIPE, SIG_IGN);
}

int mf_signals_pending(void)
{
    return (int)g_signal;
}
