/* Who serves whom (pure: no MPI). With a second level of distribution, rank 0 serves one leader per node; each
   leader serves the other ranks of its node, taking large slices from rank 0 and cutting them again. A node's
   leader is its lowest rank, on rank 0's node the lowest after rank 0, which serves that node's rest when it
   holds three ranks or more (else they are rank 0's kids, as is a rank alone on its node). Without it (one
   node, or the level switched off) rank 0 serves every rank. */
#ifndef MPIFACTOR_TEAM_H
#define MPIFACTOR_TEAM_H

#include <stdbool.h>
#include <stdint.h>

typedef struct mf_team {
    bool leaders;      /* the second level is on */
    int parent;        /* the rank this one takes its work from (-1 for rank 0) */
    bool is_leader;    /* this rank serves kids of its own */
    int *kids;         /* the ranks this one serves: rank 0 and leaders (malloc'd; NULL for a worker) */
    int nkids;
    int *weight;       /* rank 0 with leaders: the ranks each kid stands for (1 + its own kids), by world rank;
                          NULL otherwise (every kid stands for itself) */
    bool opening;      /* the leaders take their first slices without a message (mf_sched_opening_bytes) */
    int opening_index; /* a leader: its place among the leaders, and its share of the opening ... */
    uint64_t share_lo, share_hi, share_total; /* ... (mf_team_leader_share) */
} mf_team;

/* The rank that rank r takes its work from, given the two lowest ranks on r's node (first, second: -1 for a node
   of one), how many ranks share the node (size) and whether the second level is on: the node's leader (first,
   or second on rank 0's node) for the node's other ranks; 0 for the leaders, for a node of one rank, for rank
   0's node when it holds two ranks, and for all when the level is off. -1 for rank 0. */
int mf_team_parent(int r, int first, int second, int size, bool leaders);
/* The lowest rank on each rank's node into firsts (one per rank), from every rank's node id (ids, one per rank:
   the ranks of one node share theirs). Returns 0, or -1 when out of memory. */
int mf_team_firsts(const uint64_t *ids, int ranks, int *firsts);
/* The ranks on rank r's node (those with r's entry in firsts), in ascending order, into members (room for
   ranks). Returns how many (r among them). */
int mf_team_members(const int *firsts, int ranks, int r, int *members);
/* Whether the second level can help, from the lowest rank on each rank's node (firsts, one per rank): at least
   one node other than rank 0's holds two ranks or more (a leader with a kid of its own). */
bool mf_team_useful(const int *firsts, int ranks);
/* Fills t for rank 0 from every rank's node (firsts: the lowest rank on it): its kids (every rank whose parent is
   0) and, with leaders, each kid's weight. Returns 0, or -1 when out of memory. */
int mf_team_plan_root(mf_team *t, const int *firsts, int ranks, bool leaders);
/* Fills t for rank r > 0 from the ranks of its node (members, ascending world ranks, r among them): its parent
   and, for a leader, its kids (the other members). Returns 0, or -1 when out of memory. */
int mf_team_plan_member(mf_team *t, int r, const int *members, int count, bool leaders);
/* Leader w's share of what all leaders serve, from rank 0's plan (root: mf_team_plan_root with leaders): the
   ranks that the leaders below w (in rank) stand for into *lo, those and w's own into *hi, all leaders' into
   *total. Returns w's place among the leaders in ascending rank (from 0), or -1 (nothing set) when w (a rank of
   the job) is not a leader of root. */
int mf_team_leader_share(const mf_team *root, int w, uint64_t *lo, uint64_t *hi, uint64_t *total);
/* A team with no second level: rank 0 serves ranks 1 .. ranks - 1 (for rank 0), or rank 0 is the parent. */
int mf_team_flat(mf_team *t, int r, int ranks);
/* Frees all storage. */
void mf_team_free(mf_team *t);

#endif
