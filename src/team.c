/* Who serves whom: rank 0, one leader per other node, or rank 0 alone (a second level of distribution). */
#include "mf_team.h"

#include <stdlib.h>
#include <string.h>

int mf_team_parent(int r, int first, int second, int size, bool leaders)
{
    if (r == 0)
        return -1;
    int lead = first == 0 ? second : first;
    if (!leaders || size < (first == 0 ? 3 : 2) || r == lead)
        return 0;
    return lead;
}

typedef struct node_of {
    uint64_t id;
    int rank;
} node_of;

static int by_node_then_rank(const void *a, const void *b)
{
    const node_of *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

int mf_team_firsts(const uint64_t *ids, int ranks, int *firsts)
{
    node_of *sorted = malloc((size_t)(ranks > 0 ? ranks : 1) * sizeof *sorted);
    if (!sorted)
        return -1;
    for (int r = 0; r < ranks; r++)
        sorted[r] = (node_of){ids[r], r};
    qsort(sorted, (size_t)ranks, sizeof *sorted, by_node_then_rank);
    for (int i = 0, first = 0; i < ranks; i++) {
        if (i == 0 || sorted[i].id != sorted[i - 1].id)
            first = sorted[i].rank; /* a node's ranks come in ascending order */
        firsts[sorted[i].rank] = first;
    }
    free(sorted);
    return 0;
}

int mf_team_members(const int *firsts, int ranks, int r, int *members)
{
    int count = 0;
    for (int k = firsts[r]; k < ranks; k++) /* none of r's node lies below its lowest rank */
        if (firsts[k] == firsts[r])
            members[count++] = k;
    return count;
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
    /* by node (its lowest rank): the ranks on it and its second lowest */
    int *size = calloc((size_t)ranks, sizeof *size), *second = malloc((size_t)ranks * sizeof *second);
    t->kids = malloc((size_t)(ranks > 1 ? ranks : 1) * sizeof *t->kids);
    t->weight = leaders ? calloc((size_t)ranks, sizeof *t->weight) : NULL;
    if (!size || !second || !t->kids || (leaders && !t->weight)) {
        free(size);
        free(second);
        mf_team_free(t);
        return -1;
    }
    for (int r = 0; r < ranks; r++) {
        if (size[firsts[r]]++ == 1)
            second[firsts[r]] = r;
    }
    for (int r = 1; r < ranks; r++) {
        int f = firsts[r];
        int p = mf_team_parent(r, f, size[f] > 1 ? second[f] : -1, size[f], leaders);
        if (p == 0)
            t->kids[t->nkids++] = r;
        if (t->weight)
            t->weight[p == 0 ? r : p]++;
    }
    free(size);
    free(second);
    return 0;
}

int mf_team_plan_member(mf_team *t, int r, const int *members, int count, bool leaders)
{
    memset(t, 0, sizeof *t);
    t->leaders = leaders;
    t->parent = mf_team_parent(r, members[0], count > 1 ? members[1] : -1, count, leaders);
    int lead = members[0] == 0 ? 1 : 0; /* the leader's place among the members */
    t->is_leader = leaders && count > lead + 1 && r == members[lead];
    if (!t->is_leader)
        return 0;
    t->kids = malloc((size_t)count * sizeof *t->kids);
    if (!t->kids)
        return -1;
    for (int i = lead + 1; i < count; i++)
        t->kids[t->nkids++] = members[i];
    return 0;
}

int mf_team_leader_share(const mf_team *root, int w, uint64_t *lo, uint64_t *hi, uint64_t *total)
{
    if (!root->weight || w <= 0 || root->weight[w] < 2)
        return -1;
    uint64_t below = 0, all = 0;
    int index = 0;
    for (int k = 0; k < root->nkids; k++) {
        int v = root->kids[k], n = root->weight[v];
        if (n < 2)
            continue; /* a kid that serves no one */
        all += (uint64_t)n;
        if (v < w) {
            below += (uint64_t)n;
            index++;
        }
    }
    *lo = below;
    *hi = below + (uint64_t)root->weight[w];
    *total = all;
    return index;
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
