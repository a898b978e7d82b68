#!/bin/sh
# Launch agent for mpirun (--mca plm_rsh_agent): runs the remote command on a test host (a network namespace) instead of over ssh.
# Called by mpirun as: agent.sh HOST COMMAND...   MFMH_HOSTMAP="ADDR=NETNS ..." maps HOST to its namespace;
# the command runs there in its own UTS namespace with the hostname set to the namespace name, parsed by sh like ssh would.
# With MFMH_VIEWS/MFMH_VIEW set (see below) the host also gets its own mount namespace with its view of a directory.
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
# MFMH_VIEWS="NETNS=DIR ...": that host sees DIR at the path MFMH_VIEW, bind-mounted in a mount namespace of its own
view=
for pair in ${MFMH_VIEWS:-}; do
  case $pair in
    "$ns="*) view=${pair#*=} ;;
  esac
done
if [ -n "$view" ]; then
  # shellcheck disable=SC2016 # $0..$3 are expanded by the inner sh
  exec ip netns exec "$ns" unshare --uts --mount --propagation private \
    sh -c 'hostname "$0" && mount --bind "$2" "$3" && exec sh -c "$1"' "$ns" "$*" "$view" "${MFMH_VIEW:?}"
fi
# shellcheck disable=SC2016 # $0/$1 are expanded by the inner sh
exec ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec sh -c "$1"' "$ns" "$*"
