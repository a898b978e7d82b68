/* Who serves whom: rank 0, one leader per other node, or rank 0 alone (a second level of distribution). */
#include "mf_team.h"

#include <stdlib.h>
#include <string.h>

int mf_team_parent(int r, int first, int size, bool leaders)
{
    if (r == 0)
        return -1;
    if (!leaders || first == 0 || size < 2 || r == first)
        return 0;
    return first;
}

bool mf_team_useful(const int *firsts, int ranks)
{
    for (int r = 1; r < ranks; r++)
        if (firsts[r] != 0 && firsts[r] != r)
            return true; /* a rank on another node whose leader is someone else */
    return false;
}

int mf_team_plan_root(mf_team *t, const int *firsts, int ranks, bool leaders)
{
    memset(t, 0, sizeof *t);
    t->leaders = leaders;
    t->parent = -1;
    t->is_leader = ranks > 1;
    int *size = calloc((size_t)ranks, sizeof *size); /* by node (its lowest rank): ranks on it */
    t->kids = malloc((size_t)(ranks > 1 ? ranks : 1) * sizeof *t->kids);
    t->weight = leaders ? calloc((size_t)ranks, sizeof *t->weight) : NULL;
    if (!size || !t->kids || (leaders && !t->weight)) {
        free(size);
        mf_team_free(t);
        return -1;
    }
    for (int r = 0; r < ranks; r++)
        size[firsts[r]]++;
    for (int r = 1; r < ranks; r++) {
        int p = mf_team_parent(r, firsts[r], size[firsts[r]], leaders);
        if (p == 0)
            t->kids[t->nkids++] = r;
        if (t->weight)
            t->weight[p == 0 ? r : p]++;
    }
    free(size);
    return 0;
}

int mf_team_plan_member(mf_team *t, int r, const int *members, int count, bool leaders)
{
    memset(t, 0, sizeof *t);
    t->leaders = leaders;
    t->parent = mf_team_parent(r, members[0], count, leaders);
    t->is_leader = leaders && r == members[0] && t->parent == 0 && count > 1;
    if (!t->is_leader)
        return 0;
    t->kids = malloc((size_t)count * sizeof *t->kids);
    if (!t->kids)
        return -1;
    for (int i = 0; i < count; i++)
        if (members[i] != r)
            t->kids[t->nkids++] = members[i];
    return 0;
}

int mf_team_flat(mf_team *t, int r, int ranks)
{
    memset(t, 0, sizeof *t);
    t->parent = r == 0 ? -1 : 0;
    if (r != 0)
        return 0;
    t->is_leader = ranks > 1;
    t->kids = malloc((size_t)(ranks > 1 ? ranks : 1) * sizeof *t->kids);
    if (!t->kids)
        return -1;
    for (int k = 1; k < ranks; k++)
        t->kids[t->nkids++] = k;
    return 0;
}

void mf_team_free(mf_team *t)
{
    free(t->kids);
    free(t->weight);
    t->kids = t->weight = NULL;
    t->nkids = 0;
}
