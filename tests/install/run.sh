#!/usr/bin/env bash
# Install suite: `make install` into a temporary prefix, then, in a clean bash with Lmod initialised,
# `module load mpifactor`, `mpifactor -V`, `man mpifactor` and installed job scripts running the installed
# binary; the manual page renders without warnings and documents exactly the options of --help; a DESTDIR
# install names PREFIX, not DESTDIR; `make uninstall` leaves nothing. Installs lmod, man-db, groff-base.
# usage: tests/install/run.sh
# shellcheck disable=SC2016,SC2317  # the inner shells expand their own single-quoted scripts; check calls functions
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/mf-install.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
echo "install: work dir $WORK"

. "$(dirname "$0")/../lib/harness.sh" # pass, fail, check
finish() { echo "install: $passed passed, $failed failed${1:+, $1 skipped}"; [ "$failed" -eq 0 ]; exit; }
mk() { make -C "$ROOT" --no-print-directory "$@"; }

if ! "$ROOT/tests/lib/install-deps.sh" lmod man-db groff-base; then
  echo "SKIP: lmod, man-db and groff-base are needed (Debian packages) and could not be installed"
  finish 1
fi
LMOD_INIT=$(dpkg -L lmod 2>/dev/null | grep -m 1 '/lmod/init/profile$')
[ -n "$LMOD_INIT" ] || LMOD_INIT=/etc/profile.d/lmod.sh # what a login shell sources
VERSION=$(sed -n 's/^#define MF_VERSION "\(.*\)"/\1/p' "$ROOT"/include/*.h | head -n 1)
P=$WORK/prefix
MODS=$P/share/modulefiles
mkdir -p "$WORK/home" "$WORK/run"
root_env=()
[ "$(id -u)" -ne 0 ] || root_env=(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1)
# clean_sh SCRIPT: SCRIPT in a new bash with an empty environment (PATH of the system, a private HOME), in
# $WORK/run: nothing of this shell, of the checkout or of a module loaded here leaks in.
clean_sh() {
  (cd "$WORK/run" && env -i HOME="$WORK/home" USER="$(id -un)" PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=C \
    TERM=dumb OMPI_MCA_pml=ob1 "${root_env[@]}" bash --noprofile --norc -c "$1")
}
# lmod_sh SCRIPT: the same with Lmod initialised as a login shell does, and $MODS on the module path.
lmod_sh() { clean_sh "source '$LMOD_INIT' && module use '$MODS' && $1"; }

# --- build and install ---------------------------------------------------------------------------
check "make builds" mk all
check "make install PREFIX=$P: exit 0" mk install PREFIX="$P"
check "installed: binary, manual page, job scripts and helpers, module file $VERSION.lua" bash -c "
  [ -x '$P/bin/mpifactor' ] && [ -f '$P/share/man/man1/mpifactor.1' ] && [ -f '$MODS/mpifactor/$VERSION.lua' ] &&
  for f in mpifactor.sbatch scaling.sbatch scaling.sh plot_scaling.sh; do [ -x '$P/share/mpifactor/jobs/'\$f ] || exit 1; done &&
  [ -f '$P/share/mpifactor/jobs/gen_numbers.py' ] && [ -f '$P/share/mpifactor/jobs/simulate_platform.py' ]"

# --- through Lmod ----------------------------------------------------------------------------------
lmod_sh 'module load mpifactor && module -t list 2>&1 && command -v mpifactor && mpifactor -V' >"$WORK/load.out" 2>&1
check "module load mpifactor: mpifactor/$VERSION loaded, mpifactor on PATH is $P/bin/mpifactor, -V prints mpifactor $VERSION" \
  bash -c "grep -qx 'mpifactor/$VERSION' '$WORK/load.out' && grep -qx '$P/bin/mpifactor' '$WORK/load.out' &&
           [ \"\$(tail -n 1 '$WORK/load.out')\" = 'mpifactor $VERSION' ] || { cat '$WORK/load.out'; false; }"
lmod_sh "module load mpifactor/$VERSION"' && echo "R=$MPIFACTOR_ROOT" && echo "J=$MPIFACTOR_JOBS" && echo "M=$MANPATH"' \
  >"$WORK/env.out" 2>&1
check "module sets MPIFACTOR_ROOT, MPIFACTOR_JOBS and MANPATH" bash -c "
  grep -qx 'R=$P' '$WORK/env.out' && grep -qx 'J=$P/share/mpifactor/jobs' '$WORK/env.out' &&
  grep -q '^M=$P/share/man:' '$WORK/env.out' || { cat '$WORK/env.out'; false; }"
lmod_sh 'module load mpifactor && MANPAGER=cat MANWIDTH=200 man mpifactor && man -w mpifactor' >"$WORK/man.out" 2>&1
check "man mpifactor renders the installed page" bash -c "
  grep -q '^ *mpifactor - factorize integers by trial division' '$WORK/man.out' &&
  grep -q '^ *EXIT STATUS' '$WORK/man.out' && grep -qx '$P/share/man/man1/mpifactor.1' '$WORK/man.out' ||
  { tail -n 5 '$WORK/man.out'; false; }"
if clean_sh 'man -w man' >/dev/null 2>&1; then
  check "the system's manual pages are still found with the module loaded" lmod_sh 'module load mpifactor && man -w man'
fi
mpi_expected=$(mpirun --version 2>/dev/null | sed -n '1s/^mpirun (Open MPI) \([0-9.]*\)$/Open MPI \1/p')
lmod_sh 'module whatis mpifactor 2>&1; module help mpifactor 2>&1' >"$WORK/whatis.out" 2>&1
if [ -n "$mpi_expected" ]; then
  check "module whatis and help name the MPI ($mpi_expected) and the version" bash -c "
    grep -q 'MPI: $mpi_expected\$' '$WORK/whatis.out' && grep -q 'Version: $VERSION' '$WORK/whatis.out' &&
    grep -q 'Built with $mpi_expected' '$WORK/whatis.out' || { cat '$WORK/whatis.out'; false; }"
else
  check "module whatis names an MPI and the version" bash -c "
    grep 'MPI: ' '$WORK/whatis.out' | grep -vq unknown && grep -q 'Version: $VERSION' '$WORK/whatis.out'"
fi
lmod_sh 'module load mpifactor && module unload mpifactor && ! command -v mpifactor && echo "M=${MANPATH:-}"' \
  >"$WORK/unload.out" 2>&1
check "module unload takes mpifactor off PATH and MANPATH" bash -c "
  grep -q '^M=' '$WORK/unload.out' && ! grep -q '$P' '$WORK/unload.out' || { cat '$WORK/unload.out'; false; }"

# --- installed job scripts find the installed binary (mpirun on this host, no Slurm) ------------------
printf '12\n18446744073709551617\n4294967291\n1\n' >"$WORK/run/in.txt"
xargs -n 1 factor <"$WORK/run/in.txt" >"$WORK/expected.txt"
# job_ok NAME OUT BIN: OUT equals GNU factor's output and OUT.run.txt says BIN ran
job_ok() {
  check "$1" bash -c "cmp '$WORK/expected.txt' '$2' && grep '^command:' '$2.run.txt' | grep -q ' $3 ' ||
    { cat '$2.run.txt' '$4'; false; }"
}
lmod_sh 'module load mpifactor && MPIFACTOR_NP=1 bash "$MPIFACTOR_JOBS/mpifactor.sbatch" in.txt out-module.txt' \
  >"$WORK/job1.log" 2>&1
job_ok "module loaded: \$MPIFACTOR_JOBS/mpifactor.sbatch runs $P/bin/mpifactor, output equals GNU factor" \
  "$WORK/run/out-module.txt" "$P/bin/mpifactor" "$WORK/job1.log"
clean_sh "MPIFACTOR_NP=1 bash '$P/share/mpifactor/jobs/mpifactor.sbatch' in.txt out-plain.txt" >"$WORK/job2.log" 2>&1
job_ok "no module, mpifactor not on PATH: the installed mpifactor.sbatch still runs $P/bin/mpifactor" \
  "$WORK/run/out-plain.txt" "$P/bin/mpifactor" "$WORK/job2.log"
lmod_sh "module load mpifactor && MPIFACTOR_NP=1 bash '$ROOT/jobs/mpifactor.sbatch' in.txt out-checkout.txt" \
  >"$WORK/job3.log" 2>&1
job_ok "in the checkout, module loaded: jobs/mpifactor.sbatch still runs the checkout's build/mpifactor" \
  "$WORK/run/out-checkout.txt" "$ROOT/build/mpifactor" "$WORK/job3.log"
clean_sh "'$P/share/mpifactor/jobs/scaling.sh' strong --ranks 1 --numbers 8 --bits 20 --out scal" >"$WORK/scal.log" 2>&1
check "the installed scaling.sh runs $P/bin/mpifactor and writes its CSV" bash -c "
  grep -qx 'mpifactor: $P/bin/mpifactor' '$WORK/run/scal/meta.txt' && [ \$(wc -l <'$WORK/run/scal/scaling.csv') -eq 2 ] ||
  { tail -n 5 '$WORK/scal.log'; false; }"

# --- the manual page ----------------------------------------------------------------------------------
check "man --warnings -l man/mpifactor.1: no warnings" bash -c "
  out=\$(man --warnings -l '$ROOT/man/mpifactor.1' 2>&1 >/dev/null) && [ -z \"\$out\" ]"
check "groff -man -ww -z: no warnings" bash -c "out=\$(groff -man -ww -z '$ROOT/man/mpifactor.1' 2>&1) && [ -z \"\$out\" ]"
"$P/bin/mpifactor" --help >"$WORK/help.txt" 2>&1
LC_ALL=C MANWIDTH=200 MANPAGER=cat man -l "$ROOT/man/mpifactor.1" >"$WORK/man.txt" 2>/dev/null
opts() { grep -o -- '--[a-z][a-z-]*' "$1" | sort -u; }
opts "$WORK/help.txt" >"$WORK/help.opts"
sed -n '/^OPTIONS$/,/^INPUT$/p' "$WORK/man.txt" | grep -v -- '--option' >"$WORK/man.options"
opts "$WORK/man.options" >"$WORK/man.opts"
opts "$WORK/man.txt" >"$WORK/man-all.opts"
check "every long option of --help ($(wc -l <"$WORK/help.opts")) appears in the manual page" \
  bash -c "[ -s '$WORK/help.opts' ] && ! comm -23 '$WORK/help.opts' '$WORK/man-all.opts' | grep ."
check "the manual's OPTIONS section lists exactly the options of --help" diff "$WORK/help.opts" "$WORK/man.opts"
check "the manual page is of version $VERSION" bash -c "
  grep -q '^\.TH MPIFACTOR 1 [^ ]* \"mpifactor $VERSION\"' '$ROOT/man/mpifactor.1' && grep -q '(mpifactor $VERSION)' '$WORK/man.txt'"

# --- a staged install (DESTDIR) with MODULEFILES_DIR -----------------------------------------------------
SP=/opt/mpifactor-install-test-$$/$VERSION
SM=/opt/mpifactor-install-test-$$/modulefiles
S=$WORK/stage
check "make install DESTDIR=… PREFIX=$SP MODULEFILES_DIR=$SM: exit 0" \
  mk install DESTDIR="$S" PREFIX="$SP" MODULEFILES_DIR="$SM"
check "staged: files under DESTDIR, nothing at PREFIX, module file in MODULEFILES_DIR" bash -c "
  [ -x '$S$SP/bin/mpifactor' ] && [ -f '$S$SP/share/man/man1/mpifactor.1' ] && [ -f '$S$SM/mpifactor/$VERSION.lua' ] &&
  [ ! -e '$S$SP/share/modulefiles' ] && [ ! -e /opt/mpifactor-install-test-$$ ]"
check "staged: the module file and the job scripts name PREFIX, never DESTDIR" bash -c "
  grep -q 'prepend_path(\"PATH\", \"$SP/bin\")' '$S$SM/mpifactor/$VERSION.lua' &&
  grep -q 'prepend_path(\"MANPATH\", \"$SP/share/man\")' '$S$SM/mpifactor/$VERSION.lua' &&
  grep -qx \"installed_bin='$SP/bin/mpifactor'\" '$S$SP/share/mpifactor/jobs/mpifactor.sbatch' &&
  grep -qx \"installed_jobs='$SP/share/mpifactor/jobs'\" '$S$SP/share/mpifactor/jobs/scaling.sbatch' &&
  ! grep -rq '$S' '$S'"
check "staged: make uninstall with the same variables leaves no file" bash -c "
  make -C '$ROOT' --no-print-directory uninstall DESTDIR='$S' PREFIX='$SP' MODULEFILES_DIR='$SM' &&
  [ -z \"\$(find '$S' -type f)\" ] && [ ! -e '$S$SP/share/mpifactor' ] && [ ! -e '$S$SM/mpifactor' ]"

# --- uninstall ---------------------------------------------------------------------------------------------
printf 'whatis("another version")\n' >"$MODS/mpifactor/0.0.0-other.lua"
check "make uninstall PREFIX=$P: exit 0" mk uninstall PREFIX="$P"
check "uninstalled: no file of mpifactor left, another version's module file kept" bash -c "
  [ \"\$(find '$P' -type f)\" = '$MODS/mpifactor/0.0.0-other.lua' ] && [ ! -e '$P/share/mpifactor' ]"
rm -f "$MODS/mpifactor/0.0.0-other.lua"
check "make uninstall again: exit 0, and mpifactor's module directory is gone" bash -c "
  make -C '$ROOT' --no-print-directory uninstall PREFIX='$P' && [ ! -e '$MODS/mpifactor' ] && [ -z \"\$(find '$P' -type f)\" ]"
no_module() { ! lmod_sh 'module load mpifactor'; }
check "module load mpifactor now fails" no_module

finish
