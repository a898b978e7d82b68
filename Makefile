# mpifactor: distributed trial-division factorization on Open MPI and GMP.
# `make run` sets up, builds and runs the shipped example; `make check` sets up, builds and runs every test.

SHELL := /bin/bash

ifeq ($(origin CC),default)
CC = mpicc
endif
OPTIMIZATION ?= -O2
PREFIX ?= /usr/local
DESTDIR ?=
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

# SANITIZER=address|undefined builds everything (library, tests) with that sanitizer into build/san-*/
SANITIZER ?=
ifneq ($(SANITIZER),)
ifeq ($(filter $(SANITIZER),address undefined),)
$(error SANITIZER must be address or undefined, not '$(SANITIZER)')
endif
BUILD := $(BUILD)/san-$(SANITIZER)
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

DEPS_PACKAGES = openmpi-bin libopenmpi-dev libgmp-dev libxxhash-dev pkg-config make gcc coreutils python3
TEST_PACKAGES = check

.PHONY: all run check deps test-deps unit unit-san unit-emu integration fuzz-replay simulate-test slurm multihost container mpich bench fuzz simulate simulate-study install uninstall clean

all: $(BIN)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

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

unit-san:
	@$(MAKE) --no-print-directory SANITIZER=address unit
	@$(MAKE) --no-print-directory SANITIZER=undefined unit

# The 128-bit kernel's unit tests again with its AVX-512 path emulated, compared with the plain kernel like
# the others (only that suite: elsewhere auto would pick the emulation, far slower than real instructions).
unit-emu:
	@CK_RUN_SUITE=kernel128 $(MAKE) --no-print-directory EMULATE_AVX512=1 unit

integration: $(BIN)
	tests/integration/run.sh $(BIN)
	tests/integration/wide.sh $(BIN)
	tests/integration/parallel_io.sh $(BIN)
	tests/integration/retry.sh $(BIN)

# The simulated cluster (SimGrid SMPI): 64 ranks against GNU factor, CSV, shared table, calibration (part of make check).
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

# Set up, build and run every test; the last line sums all suites.
check: test-deps
	@mkdir -p build
	@set -o pipefail; { $(MAKE) --no-print-directory all unit unit-san unit-emu integration fuzz-replay simulate-test && \
	  for t in mpich slurm multihost container; do \
	    if [ -x tests/$$t/run.sh ]; then $(MAKE) --no-print-directory $$t || exit 1; fi; \
	  done; } 2>&1 | tee build/check.log
	@tests/lib/check-summary.sh build/check.log

bench: deps
	@$(MAKE) --no-print-directory all
	bench/run.sh

# A small simulated strong-scaling study, 1 to 256 SMPI ranks: build/simulate/scaling.csv and scaling.png.
simulate: deps
	rm -rf $(BUILD)/simulate
	jobs/scaling.sh strong --simulate --ranks "1 4 16 64 256" --numbers 512 --bits 48 --out $(BUILD)/simulate
	jobs/plot_scaling.sh $(BUILD)/simulate/scaling.csv $(BUILD)/simulate/scaling.png

# The README's simulated study to 1024 ranks (two workloads): jobs/results/simulated/ (see jobs/simulate_study.sh).
simulate-study: deps
	jobs/simulate_study.sh

# Fuzz the parser and message decoders for FUZZ_SECONDS (default 60) with libFuzzer.
fuzz: test-deps
	tests/fuzz/run.sh $(or $(FUZZ_SECONDS),60)

# Replay the fuzz corpus and generated edge cases (part of make check).
fuzz-replay:
	tests/fuzz/run.sh 0

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/mpifactor

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/mpifactor

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/tests/*.d)
