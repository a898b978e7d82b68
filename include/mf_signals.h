/* Stop requests: SIGTERM, SIGINT and SIGUSR1 set a flag that the main loops poll. */
#ifndef MPIFACTOR_SIGNALS_H
#define MPIFACTOR_SIGNALS_H

/* Installs the handlers (SA_RESTART not set, so blocking calls return early) and ignores SIGPIPE. */
void mf_signals_install(void);
/* Returns the number of the first stop signal received, or 0. */
int mf_signals_pending(void);

#endif
