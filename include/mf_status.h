/* Status codes shared by every module, and the process exit codes derived from them. */
#ifndef MPIFACTOR_STATUS_H
#define MPIFACTOR_STATUS_H

/* Exit codes of the program (documented in README.md and tests/lib/CONTRACT.md). When several apply, the
   first in this order wins: 5 internal (MPI_Abort ends the job at once), 2 usage or I/O (the run could not
   do its work), 4 verify (a result is wrong), 3 interrupted (the run is not finished), 1 invalid input, 6
   unfactored, 0. So 6 is seen only on a run that finished with every token valid and every result checked:
   it tells a script "complete, but bounded"; 1 hides a 6 (--stats' "unfactored" still counts them). */
enum {
    MF_EXIT_OK = 0,          /* every number factored completely */
    MF_EXIT_INVALID = 1,     /* some input tokens were invalid; every valid number was still written */
    MF_EXIT_USAGE = 2,       /* bad option, unreadable file, I/O error, checkpoint mismatch */
    MF_EXIT_INTERRUPTED = 3, /* stopped by a signal or --time-limit; resumable with --checkpoint */
    MF_EXIT_VERIFY = 4,      /* --verify found a wrong factorization */
    MF_EXIT_INTERNAL = 5,    /* internal or MPI error */
    MF_EXIT_UNFACTORED = 6   /* finished, every number written, but some left a cofactor unfactored because
                                trial division stopped at --max-divisor (or at 2^64, which no run reaches) */
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
