/* One file, one role: finds two of the run's roles (input, output, checkpoint, statistics) on one file. */
#define _XOPEN_SOURCE 700
#include "mf_roles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINK_HOPS 40   /* as the kernel's limit on symbolic links followed in one lookup */
#define LINK_MAX_BYTES 4096

const char *mf_role_name(mf_role role)
{
    switch (role) {
    case MF_ROLE_INPUT: return "an input file";
    case MF_ROLE_OUTPUT: return "the output (-o)";
    case MF_ROLE_CHECKPOINT: return "the checkpoint (--checkpoint)";
    case MF_ROLE_STATS: return "the statistics file (--stats)";
    }
    return "a file";
}

/* Where a dangling symbolic link at path points (links followed), as a new string; path itself when it is no
   link. NULL when out of memory. */
static char *follow_links(const char *path)
{
    char *cur = strdup(path);
    for (int hops = 0; cur && hops < MAX_LINK_HOPS; hops++) {
        struct stat st;
        char target[LINK_MAX_BYTES];
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
            break;
        ssize_t n = readlink(cur, target, sizeof target - 1);
        if (n <= 0 || (size_t)n == sizeof target - 1)
            break;
        target[n] = '\0';
        const char *slash = strrchr(cur, '/');
        size_t dirlen = target[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1; /* relative to the link */
        char *next = malloc(dirlen + (size_t)n + 1);
        if (next) {
            memcpy(next, cur, dirlen);
            memcpy(next + dirlen, target, (size_t)n + 1);
        }
        free(cur);
        cur = next;
    }
    return cur;
}

/* The real path of the directory of a file that does not exist yet, then "/" and its name, as a new string;
   the path as given (links followed) when its directory cannot be resolved (the file cannot be created
   there either). NULL when out of memory. */
static char *resolve_missing(const char *path)
{
    char *cur = follow_links(path);
    if (!cur)
        return NULL;
    const char *slash = strrchr(cur, '/');
    const char *name = slash ? slash + 1 : cur;
    char *dir = slash == cur ? strdup("/") : slash ? strndup(cur, (size_t)(slash - cur)) : strdup(".");
    char *real = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    if (!real)
        return cur;
    size_t rl = strlen(real), nl = strlen(name);
    bool root = rl > 0 && real[rl - 1] == '/';
    char *where = malloc(rl + 1 + nl + 1);
    if (where)
        snprintf(where, rl + 1 + nl + 1, "%s%s%s", real, root ? "" : "/", name);
    free(real);
    free(cur);
    return where;
}

int mf_role_identify(mf_role_file *f, mf_role role, const char *path)
{
    memset(f, 0, sizeof *f);
    f->role = role;
    f->path = path;
    if (role == MF_ROLE_INPUT && strcmp(path, "-") == 0) {
        f->exempt = true; /* standard input */
        return 0;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        f->exempt = S_ISCHR(st.st_mode);
        f->exists = true;
        f->dev = (uint64_t)st.st_dev;
        f->ino = (uint64_t)st.st_ino;
        return 0;
    }
    f->where = resolve_missing(path);
    return f->where ? 0 : -1;
}

void mf_role_release(mf_role_file *f)
{
    free(f->where);
    f->where = NULL;
}

bool mf_role_same(const mf_role_file *a, const mf_role_file *b)
{
    if (a->exempt || b->exempt || a->exists != b->exists)
        return false;
    if (a->exists)
        return a->dev == b->dev && a->ino == b->ino;
    return a->where && b->where && strcmp(a->where, b->where) == 0;
}

/* Writes the message for a (the earlier) and b sharing one file. */
static void describe(const mf_role_file *a, const mf_role_file *b, char *err, size_t errlen)
{
    if (strcmp(a->path, b->path) == 0)
        snprintf(err, errlen, "%s is both %s and %s", a->path, mf_role_name(a->role), mf_role_name(b->role));
    else
        snprintf(err, errlen, "%s is both %s and, as %s, %s", a->path, mf_role_name(a->role), b->path,
                 mf_role_name(b->role));
}

bool mf_roles_conflict(const mf_role_file *files, size_t n, char *err, size_t errlen)
{
    size_t others[3], nothers = 0; /* the earlier files not in the input role (output, checkpoint, stats) */
    for (size_t j = 0; j < n; j++) {
        if (files[j].role == MF_ROLE_INPUT) { /* inputs among themselves are one role: only the others count */
            for (size_t k = 0; k < nothers; k++)
                if (mf_role_same(&files[others[k]], &files[j])) {
                    describe(&files[others[k]], &files[j], err, errlen);
                    return true;
                }
            continue;
        }
        for (size_t i = 0; i < j; i++)
            if (files[i].role != files[j].role && mf_role_same(&files[i], &files[j])) {
                describe(&files[i], &files[j], err, errlen);
                return true;
            }
        if (nothers < sizeof others / sizeof others[0])
            others[nothers++] = j;
    }
    return false;
}

int mf_roles_check(const mf_config *cfg, char *err, size_t errlen)
{
    size_t cap = (size_t)(cfg->ninputs > 0 ? cfg->ninputs : 0) + 3, n = 0;
    mf_role_file *files = calloc(cap, sizeof *files);
    int rc = files ? 0 : -1;
    for (int i = 0; rc == 0 && i < cfg->ninputs; i++)
        rc = mf_role_identify(&files[n++], MF_ROLE_INPUT, cfg->inputs[i]);
    if (rc == 0 && cfg->output)
        rc = mf_role_identify(&files[n++], MF_ROLE_OUTPUT, cfg->output);
    if (rc == 0 && cfg->checkpoint)
        rc = mf_role_identify(&files[n++], MF_ROLE_CHECKPOINT, cfg->checkpoint);
    if (rc == 0 && cfg->stats_path)
        rc = mf_role_identify(&files[n++], MF_ROLE_STATS, cfg->stats_path);
    if (rc == 0)
        rc = mf_roles_conflict(files, n, err, errlen) ? 1 : 0;
    else
        snprintf(err, errlen, "out of memory");
    for (size_t i = 0; i < n; i++)
        mf_role_release(&files[i]);
    free(files);
    return rc;
}
