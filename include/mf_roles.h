/* One file, one role (no MPI): refuses a run whose inputs, output (-o), checkpoint and statistics file are not
   all different files, before anything is opened for writing.

   A file that exists is known by its device and inode, so a symbolic or a hard link to it is the same file; a
   file not there yet by the real path of its directory and its name (a dangling symbolic link by where it
   points). Standard input ("-" as an input) and character devices (/dev/null, a terminal) are never in
   conflict; one input file given twice is one role, not two. */
#ifndef MPIFACTOR_ROLES_H
#define MPIFACTOR_ROLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mf_cli.h"

typedef enum mf_role { MF_ROLE_INPUT, MF_ROLE_OUTPUT, MF_ROLE_CHECKPOINT, MF_ROLE_STATS } mf_role;

/* One path in one role, and what file it names. */
typedef struct mf_role_file {
    mf_role role;
    const char *path;       /* as given (not owned) */
    bool exempt;            /* standard input or a character device: shared freely */
    bool exists;            /* dev and ino name the file */
    uint64_t dev, ino;
    char *where;            /* when it does not exist: real directory + "/" + name (owned; NULL otherwise) */
} mf_role_file;

/* Describes the role (for messages): "an input file", "the output (-o)", "the checkpoint (--checkpoint)",
   "the statistics file (--stats)". Static storage. */
const char *mf_role_name(mf_role role);
/* Finds out what file path names in role (stat, lstat, readlink and realpath only: nothing is opened) into *f.
   path must outlive *f; mf_role_release frees it. Returns 0, or -1 when out of memory. */
int mf_role_identify(mf_role_file *f, mf_role role, const char *path);
/* Frees what mf_role_identify allocated in *f. */
void mf_role_release(mf_role_file *f);
/* Whether a and b name one file and neither is exempt (pure). */
bool mf_role_same(const mf_role_file *a, const mf_role_file *b);
/* Among files[0..n) finds the first pair of different roles that name one file (pure). Returns true with a
   message in err (size errlen): "P is both ROLE_A and ROLE_B", or "P is both ROLE_A and, as Q, ROLE_B" when
   the second path is spelled differently; else false. */
bool mf_roles_conflict(const mf_role_file *files, size_t n, char *err, size_t errlen);
/* Checks every input, -o, --checkpoint and --stats path of cfg. Returns 0 when no file has two roles; 1 with
   the message in err; -1 with "out of memory" in err. */
int mf_roles_check(const mf_config *cfg, char *err, size_t errlen);

#endif
