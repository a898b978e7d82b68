# mpifactor: distributed trial-division factorization on Open MPI and GMP.
# `make run` sets up, builds and runs the shipped example; `make check` sets up, builds and runs every test.

SHELL := /bin/bash

ifeq ($(origin CC),default)
CC = mpicc
endif
OPTIMIZATION ?= -O2
PREFIX ?= /usr/local
DESTDIR ?=
# Installation layout. The job scripts are architecture-independent files that people submit or copy, not
# helpers the program runs, hence share/ rather than libexec/. The module file names PREFIX, never DESTDIR.
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
JOBSDIR ?= $(PREFIX)/share/mpifactor/jobs
MODULEFILES_DIR ?= $(PREFIX)/share/modulefiles
BUILD ?= build
NP ?= $(shell nproc 2>/dev/null || echo 2)

WARNINGS = -Wall -Wextra -Wpedantic -Wshadow
GMP_CFLAGS := $(shell pkg-config --cflags gmp 2>/dev/null)
GMP_LIBS := $(shell pkg-config --libs gmp 2>/dev/null || echo -lgmp)
ifeq ($(strip $(GMP_LIBS)),)
GMP_LIBS = -lgmp
endif
XXHASH_CFLAGS := $(shell pkg-config --cflags libxxhash 2>/dev/null)
XXHASH_LIBS := $(shell pkg-config --libs libxxhash 2>/dev/null || echo -lxxhash)
ALL_CFLAGS = -std=c11 $(OPTIMIZATION) -g -fno-math-errno $(WARNINGS) -Iinclude $(GMP_CFLAGS) $(XXHASH_CFLAGS) -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(LDFLAGS)
LIBS = $(GMP_LIBS) $(XXHASH_LIBS) -lm -pthread

# SMPI=1 builds for SimGrid's simulated MPI (smpicc, -DMF_SMPI: src/sim.c shares read-only tables between
# simulated ranks) into build/smpi/; jobs/scaling.sh --simulate does this itself.
SMPI ?=
ifeq ($(SMPI),1)
CC = smpicc
BUILD := $(BUILD)/smpi
ALL_CFLAGS += -DMF_SMPI
else ifneq ($(SMPI),)
$(error SMPI must be 1 or empty, not '$(SMPI)')
endif

# EMULATE_AVX512=1 builds into build/emu-avx512/ with the 128-bit kernel's AVX-512 intrinsics on plain C lanes
# (tests/unit/avx512_emulation.h): its algorithm tested on any CPU; its speed needs the real instructions.
EMULATE_AVX512 ?=
ifeq ($(EMULATE_AVX512),1)
BUILD := $(BUILD)/emu-avx512
ALL_CFLAGS += -DMF_EMULATE_AVX512 -Itests/unit
else ifneq ($(EMULATE_AVX512),)
$(error EMULATE_AVX512 must be 1 or empty, not '$(EMULATE_AVX512)')
endif

# SANITIZER=address|undefined|address,undefined builds everything (library, tests) with that sanitizer, or both
# in one build, into build/san-*/
SANITIZER ?=
comma := ,
ifneq ($(SANITIZER),)
ifeq ($(filter $(SANITIZER),address undefined address$(comma)undefined),)
$(error SANITIZER must be address, undefined or address$(comma)undefined, not '$(SANITIZER)')
endif
BUILD := $(BUILD)/san-$(subst $(comma),-,$(SANITIZER))
ALL_CFLAGS += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZER)
endif

LIB_SRCS = $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS = $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB = $(BUILD)/libmpifactor.a
BIN = $(BUILD)/mpifactor
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(BUILD)/unit_tests
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lpthread -lm)

# The version (MF_VERSION in include/), the installed job scripts and what MPI $(CC) wraps ("Open MPI 4.1.4").
VERSION = $(shell sed -n 's/^.define MF_VERSION "\(.*\)"/\1/p' include/*.h | head -n 1)
JOB_FILES = jobs/mpifactor.sbatch jobs/scaling.sbatch jobs/scaling.sh jobs/plot_scaling.sh jobs/gen_numbers.py \
	jobs/simulate_platform.py jobs/retry.sh jobs/retry-lib.sh jobs/README.md
MPI_OF_CC = { $(CC) --showme:version 2>/dev/null || $(CC) -v 2>/dev/null; } | head -n 1 \
	| sed -e 's/^[^ ]*: //' -e 's/ (Language: C)//' | tr -d '"\\|&'

DEPS_PACKAGES = openmpi-bin libopenmpi-dev libgmp-dev libxxhash-dev pkg-config make gcc coreutils python3
TEST_PACKAGES = check

.PHONY: all run check deps test-deps unit unit-san unit-emu integration fuzz-replay simulate-test slurm multihost container mpich bench fuzz simulate simulate-study schedule-study install uninstall install-test docs docs-test clean

all: $(BIN)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The kernels' functions and loops start on 64-byte boundaries, so their inner loops sit in the instruction cache
# the same way whatever code is linked before them: a 16-byte shift of find_avx512 (other code linked before it)
# cost 5%, and with these alignments numbers below 2^40 took 5-9% less CPU time than with GCC's defaults in
# interleaved runs (2-core AMD EPYC Zen 5, AVX-512; numbers of 60 and 70 bits: the same).
$(BUILD)/obj/kernel_u64.o $(BUILD)/obj/kernel_u128.o: ALL_CFLAGS += -falign-functions=64 -falign-loops=64

$(LIB): $(LIB_OBJS)
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/obj/main.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/tests/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(UNIT_BIN): $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/obj/tests/%.o) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS)

deps:
	@tests/lib/install-deps.sh $(DEPS_PACKAGES)

test-deps: deps
	@tests/lib/install-deps.sh $(TEST_PACKAGES)

# Set up, build, and factor the shipped example with all local cores.
run: deps
	@$(MAKE) --no-print-directory all
	tests/lib/mpirun-local.sh -np $(NP) $(BIN) --stats $(BUILD)/example-stats.json examples/numbers.txt
	@echo "(statistics: $(BUILD)/example-stats.json)"

unit: $(UNIT_BIN)
	$(UNIT_BIN)

# both sanitizers in one build (AddressSanitizer with LeakSanitizer, and UndefinedBehaviorSanitizer): one build
# and one run of the tests, where a build for each took twice as long
unit-san:
	@$(MAKE) --no-print-directory SANITIZER=address,undefined unit

# The 128-bit kernel's unit tests again with its AVX-512 path emulated, compared with the plain kernel like
# the others (only that suite: elsewhere auto would pick the emulation, far slower than real instructions).
unit-emu:
	@CK_RUN_SUITE=kernel128 $(MAKE) --no-print-directory EMULATE_AVX512=1 unit

# the integration scripts, each even when an earlier one fails
integration: $(BIN)
	@rc=0; for t in run wide parallel_io leaders roles sched schedule ux retry; do tests/integration/$$t.sh $(BIN) || rc=1; done; exit $$rc

# make install into a temporary prefix, used through Lmod (module load), man and an installed job script; a
# DESTDIR install and make uninstall (installs lmod with apt-get when missing; part of make check).
install-test: $(BIN)
	tests/install/run.sh

# Renders the result tables of README.md and docs/*.md from bench/results and jobs/results (make bench and the
# studies run it when they end, so that their results and the tables land together).
RENDER_TABLES = python3 docs/render_tables.py
# $(call then_render,COMMAND): COMMAND, then the tables rendered whatever it exited with, then its exit status.
then_render = $(1); rc=$$?; $(RENDER_TABLES); exit $$rc
docs:
	$(RENDER_TABLES)

# Links, README length, tables in sync with the CSVs, every command shown in README.md and docs/ run (part of make check).
docs-test: $(BIN)
	tests/docs/run.sh

# The simulated cluster (SimGrid SMPI): 64 and 256 ranks (4 and 16 nodes, with leaders) against GNU factor, CSV, shared table, calibration (part of make check).
simulate-test: $(BIN)
	tests/simulate/run.sh

slurm: $(BIN)
	tests/slurm/run.sh

multihost: $(BIN)
	tests/multihost/run.sh

container: $(BIN)
	tests/container/run.sh

# MPICH leg: installs mpich, builds into build/mpich with mpicc.mpich, runs under mpiexec.mpich.
mpich:
	tests/mpich/run.sh

# Every suite of make check, in order, for tests/lib/run-suites.sh: a make target, or NAME=COMMAND; those after
# --beside run in a second lane.
CHECK_SUITES = selftest=tests/lib/selftest.sh unit unit-san unit-emu \
  "integration=tests/integration/run.sh $(BIN)" "wide=tests/integration/wide.sh $(BIN)" \
  "parallel-io=tests/integration/parallel_io.sh $(BIN)" "leaders=tests/integration/leaders.sh $(BIN)" \
  "sched=tests/integration/sched.sh $(BIN)" "schedule=tests/integration/schedule.sh $(BIN)" \
  fuzz-replay simulate-test install-test docs-test --beside mpich slurm multihost container \
  "roles=tests/integration/roles.sh $(BIN)" "ux=tests/integration/ux.sh $(BIN)" \
  "retry=tests/integration/retry.sh $(BIN)"

# Set up, build and run every test: each suite runs even when an earlier one failed (a crash or a missing summary
# line counts as a failure, named); the last line sums all suites; the full log is build/check.log. The suites
# after --beside (first those with their own daemons, hosts, images and MPI: mostly waiting) run in a second lane
# beside the others, on the binary built here first: 10-12 minutes in all on 2 cores, against 16 one by one.
check: test-deps
	@$(MAKE) --no-print-directory all
	@tests/lib/run-suites.sh build/check.log $(CHECK_SUITES)

bench: deps
	@$(MAKE) --no-print-directory all
	$(call then_render,bench/run.sh)

# A small simulated strong-scaling study, 1 to 256 SMPI ranks: build/simulate/scaling.csv and scaling.png.
simulate: deps
	rm -rf $(BUILD)/simulate
	jobs/scaling.sh strong --simulate --ranks "1 4 16 64 256" --numbers 512 --bits 48 --out $(BUILD)/simulate
	jobs/plot_scaling.sh $(BUILD)/simulate/scaling.csv $(BUILD)/simulate/scaling.png

# The simulated study to 4096 ranks of docs/simulation.md (its workloads: jobs/simulate_study.sh): jobs/results/simulated/.
simulate-study: deps
	$(call then_render,jobs/simulate_study.sh)

# --schedule adaptive, map and static on three inputs, simulated to 1024 ranks plus real np 1 and 2 (about 10
# minutes on 2 cores): jobs/results/schedule-study/ (see jobs/schedule_study.sh and docs/schedule.md).
schedule-study: deps
	$(call then_render,jobs/schedule_study.sh)

# Fuzz the parser and message decoders for FUZZ_SECONDS (default 60) with libFuzzer.
fuzz: test-deps
	tests/fuzz/run.sh $(or $(FUZZ_SECONDS),60)

# Replay the fuzz corpus and generated edge cases (part of make check).
fuzz-replay:
	tests/fuzz/run.sh 0

# Installs the binary, the manual page, the job scripts (told where the binary is) and an Lmod module file
# MODULEFILES_DIR/mpifactor/VERSION.lua; honours DESTDIR (staged installs).
install: $(BIN)
	@case '$(PREFIX)$(BINDIR)$(MANDIR)$(JOBSDIR)$(MODULEFILES_DIR)' in *[\'\"\\\|\&]*) \
	  echo "make install: the install paths must not contain quotes, backslashes, | or &" >&2; exit 2 ;; esac
	@[ -n '$(VERSION)' ] || { echo "make install: no MF_VERSION in include/" >&2; exit 2; }
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(JOBSDIR)' \
	  '$(DESTDIR)$(MODULEFILES_DIR)/mpifactor'
	install -m 755 $(BIN) '$(DESTDIR)$(BINDIR)/mpifactor'
	install -m 644 man/mpifactor.1 '$(DESTDIR)$(MANDIR)/man1/mpifactor.1'
	for f in $(JOB_FILES); do \
	  dest='$(DESTDIR)$(JOBSDIR)'/$${f#jobs/}; mode=644; [ ! -x "$$f" ] || mode=755; \
	  sed -e "s|^installed_bin=$$|installed_bin='$(BINDIR)/mpifactor'|" \
	      -e "s|^installed_jobs=$$|installed_jobs='$(JOBSDIR)'|" "$$f" >"$$dest" && chmod "$$mode" "$$dest" || exit 1; \
	done
	mpi=$$($(MPI_OF_CC)); cc=$$(command -v $(CC) || echo $(CC)); \
	sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
	    -e 's|@MANDIR@|$(MANDIR)|g' -e 's|@JOBSDIR@|$(JOBSDIR)|g' -e "s|@MPI@|$${mpi:-an unknown MPI}|g" \
	    -e "s|@CC@|$$cc|g" modulefiles/mpifactor.lua.in >'$(DESTDIR)$(MODULEFILES_DIR)/mpifactor/$(VERSION).lua'
	chmod 644 '$(DESTDIR)$(MODULEFILES_DIR)/mpifactor/$(VERSION).lua'

# Removes what install installed, and the directories of mpifactor's own that are then empty.
uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/mpifactor' '$(DESTDIR)$(MANDIR)/man1/mpifactor.1' \
	  '$(DESTDIR)$(MODULEFILES_DIR)/mpifactor/$(VERSION).lua' \
	  $(addprefix '$(DESTDIR)$(JOBSDIR)'/,$(notdir $(JOB_FILES)))
	for d in '$(DESTDIR)$(JOBSDIR)' '$(DESTDIR)$(PREFIX)/share/mpifactor' '$(DESTDIR)$(MODULEFILES_DIR)/mpifactor'; do \
	  [ ! -d "$$d" ] || rmdir --ignore-fail-on-non-empty "$$d"; \
	done

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/tests/*.d)
