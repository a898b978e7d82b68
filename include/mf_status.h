/* Status codes shared by every module, and the process exit codes derived from them. */
#ifndef MPIFACTOR_STATUS_H
#define MPIFACTOR_STATUS_H

/* Exit codes of the program (documented in README.md). */
enum {
    MF_EXIT_OK = 0,          /* every number factored */
    MF_EXIT_INVALID = 1,     /* some input tokens were invalid; every valid number was still written */
    MF_EXIT_USAGE = 2,       /* bad option, unreadable file, I/O error, checkpoint mismatch */
    MF_EXIT_INTERRUPTED = 3, /* stopped by a signal or --time-limit; resumable with --checkpoint */
    MF_EXIT_VERIFY = 4,      /* --verify found a wrong factorization */
    MF_EXIT_INTERNAL = 5     /* internal or MPI error */
};

typedef enum mf_status {
    MF_OK = 0,
    MF_ERR_NOMEM,
    MF_ERR_IO,
    MF_ERR_USAGE,
    MF_ERR_FORMAT,      /* malformed encoded message or checkpoint */
    MF_ERR_MISMATCH     /* checkpoint belongs to another input */
} mf_status;

/* Returns a static, human-readable description of status s. */
const char *mf_strerror(mf_status s);

#endif
