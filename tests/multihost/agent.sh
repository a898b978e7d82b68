#!/bin/sh
# Launch agent for mpirun (--mca plm_rsh_agent): runs the remote command on a test host (a network namespace) instead of over ssh.
# Called by mpirun as: agent.sh HOST COMMAND...   MFMH_HOSTMAP="ADDR=NETNS ..." maps HOST to its namespace;
# the command runs there in its own UTS namespace with the hostname set to the namespace name, parsed by sh like ssh would.
host=${1:?usage: agent.sh HOST COMMAND...}
shift
ns=
for pair in ${MFMH_HOSTMAP:-}; do
  case $pair in
    "$host="*) ns=${pair#*=} ;;
  esac
done
if [ -z "$ns" ]; then
  echo "agent.sh: unknown host '$host' (MFMH_HOSTMAP='${MFMH_HOSTMAP:-}')" >&2
  exit 255
fi
# shellcheck disable=SC2016 # $0/$1 are expanded by the inner sh
exec ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec sh -c "$1"' "$ns" "$*"
