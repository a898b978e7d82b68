/* The one place for simulation-specific code (SimGrid SMPI, built with `make SMPI=1`): what a simulated rank is
   charged for its own code, memory shared by simulated ranks, and the cost model of factoring (--worker-cost,
   --worker-charge). */
#ifndef MPIFACTOR_SIM_H
#define MPIFACTOR_SIM_H

#include <stddef.h>
#include <stdint.h>

/* Grows a table whose content is the same on every rank (e.g. precomputed constants) to bytes bytes,
   like realloc(old, bytes); cap_bytes is the most it will ever be asked for (bytes <= cap_bytes).
   Ordinary build: exactly realloc(old, bytes). SMPI build (MF_SMPI): every simulated rank of the process
   gets the same block of cap_bytes, allocated once, so N ranks hold one copy instead of N; a rank may
   only write the values every other rank would write there; its pages are touched when it is made,
   outside the simulated time (no rank is charged their faults). Returns NULL when out of memory (old is
   then untouched). Release with mf_sim_shared_free. */
void *mf_sim_shared_realloc(void *old, size_t bytes, size_t cap_bytes);
/* Releases a block from mf_sim_shared_realloc (NULL is ignored). SMPI build: the shared block stays
   for the other ranks and is reclaimed when the simulation process exits. */
void mf_sim_shared_free(void *p);
/* Prepares the process for simulated ranks before MPI starts: SMPI build, the heap that every simulated rank
   shares is never trimmed (a trim of all ranks' memory would be charged to the one rank whose free() set it
   off), and the first rank to start touches MF_SIM_POOL_KIB (default 512, 0: none) KiB of it per simulated
   rank and frees it, so that no rank is charged the first touch of the pages it allocates later; it also
   touches MF_SIM_PAGES_KIB (default 128, 0: none) KiB per simulated rank of fresh memory and gives it back to
   the kernel in pieces smaller than the VM hands back to its host, for the pages of the files the ranks write;
   ordinary build: nothing. */
void mf_sim_start(void);
/* 1 when built for SMPI (MF_SMPI), else 0. */
int mf_sim_enabled(void);
/* A simulated rank is charged the real time its own code takes between two calls into the simulator, as
   measured here with the real clock. SMPI's own benchmark of that code (smpi/simulate-computation, off in
   every platform that jobs/simulate_platform.py writes) also counted about 2 us of the simulator's own work
   per MPI call or clock read on a 2-core VM, where a real MPI_Iprobe takes 0.03 us: rank 0 handing out
   units, which calls MPI and reads the clock often, was charged 6-7 times what it takes on real ranks.
   mf_sim_enter: before a call that hands control to the simulator (every MPI call, a nap):
   charges the rank the real time since mf_sim_leave (its CPU time instead, where a stretch over 50 us used
   less: the operating system preempted the simulation meanwhile). mf_sim_leave: right after it. Ordinary
   build: nothing. */
void mf_sim_enter(void);
void mf_sim_leave(void);
/* SMPI build: the calling rank's simulated time now, counting the time it has run since its last call into the
   simulator and not been charged yet; it hands no control to the simulator (mf_now under SMPI). Ordinary
   build: 0 (not used). */
double mf_sim_now(void);
/* F, the factor by which simulated factoring is charged (jobs/scaling.sh --worker-cost F sets the environment
   variable MF_SIM_WORKER_COST): SMPI build, F from it when it is a number in [1, 1e6], else 1; ordinary
   build: always 1. */
double mf_sim_worker_cost(void);
/* Charges the calling rank for a slice of factoring that took measured_s simulated seconds (its charge so far:
   the real time it ran) and tested `candidates` candidates, so that each number stands for one F times as
   costly; rank 0's and the leaders' other work (reading, handing out, merging, writing) is not charged more.
   With MF_SIM_CANDIDATE_NS set to C (jobs/scaling.sh --worker-charge per-candidate: C is the real seconds per
   candidate of a calibration run's factoring), the slice is charged F x C x candidates in place of measured_s:
   every simulated rank pays what a rank on a core of its own pays, whatever the 1024 ranks that share this
   process's caches and the VM's changing speed did to the real time; else (F - 1) x measured_s more.
   SMPI build: also adds the slice to the rank's calibration totals (mf_sim_finish). Returns the slice's seconds
   as charged, the time the rank's statistics count for it (ordinary build: measured_s, nothing charged). */
double mf_sim_charge_compute(double measured_s, uint64_t candidates);
/* The end of a simulated rank's run: with MF_SIM_CALIBRATION_OUT set to a file, a rank that factored appends
   one line "CANDIDATES SECONDS", the candidates it tested and the real seconds its factoring slices took
   (before any --worker-cost scaling). Ordinary build: nothing. */
void mf_sim_finish(void);
/* How many candidates a slice of `candidates` may test between two looks at the messages: candidates / F,
   at least 65536 (or candidates, if fewer), so that a slice lasts as long in simulated time as it would on numbers F times as costly (they
   have F times the candidates, each costing what it costs). Ordinary build, or F = 1: candidates. */
uint64_t mf_sim_slice(uint64_t candidates);

#endif
