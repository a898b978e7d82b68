#!/bin/sh
# Entrypoint of the cluster image (docker/compose.yaml): "head" makes the ssh key, "worker" serves sshd as the
# unprivileged user on port 2222. /cluster is a volume shared by all nodes: the key pair in /cluster/ssh, each
# worker's address in /cluster/hosts/<hostname>. Any other first argument is run as a command.
set -eu

keydir=/cluster/ssh
role="${1:-worker}"

# Keeps the container alive until it is stopped (SIGTERM ends it at once).
idle() {
  trap 'exit 0' TERM INT
  while :; do
    sleep 3600 &
    wait $! || true
  done
}

case "$role" in
  head)
    umask 077
    mkdir -p "$keydir"
    if [ ! -s "$keydir/authorized_keys" ]; then
      rm -f "$keydir/id_ed25519" "$keydir/id_ed25519.pub"
      ssh-keygen -q -t ed25519 -N '' -C "mpifactor-cluster" -f "$keydir/id_ed25519"
      cp "$keydir/id_ed25519.pub" "$keydir/authorized_keys.tmp"
      mv "$keydir/authorized_keys.tmp" "$keydir/authorized_keys"
    fi
    echo "mpifactor head $(hostname): ready; run jobs with: mpifactor-cluster-run [mpifactor options] [FILE...]"
    idle
    ;;
  worker)
    waited=0
    while [ ! -s "$keydir/authorized_keys" ]; do
      if [ "$waited" -ge "${MPIFACTOR_KEY_WAIT_S:-120}" ]; then
        echo "mpifactor worker $(hostname): no $keydir/authorized_keys after ${waited} s (is the head up?)" >&2
        exit 1
      fi
      sleep 1
      waited=$((waited + 1))
    done
    state="$HOME/.sshd"
    umask 077
    mkdir -p "$state"
    [ -s "$state/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$state/host_ed25519"
    cat >"$state/sshd_config" <<CONF
Port 2222
HostKey $state/host_ed25519
PidFile $state/sshd.pid
AuthorizedKeysFile $keydir/authorized_keys
AllowUsers $(id -un)
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
PermitUserEnvironment no
LogLevel ERROR
CONF
    # Register name -> address in the shared volume: the head finds workers even where the network has no DNS
    # (podman's CNI backend on an internal network).
    mkdir -p /cluster/hosts
    addr=$(hostname -I | awk '{ print $1 }')
    echo "$addr" >"/cluster/hosts/.$(hostname).tmp"
    mv "/cluster/hosts/.$(hostname).tmp" "/cluster/hosts/$(hostname)"
    echo "mpifactor worker $(hostname) ($addr): sshd on port 2222"
    exec /usr/sbin/sshd -D -e -f "$state/sshd_config"
    ;;
  *)
    exec "$@"
    ;;
esac
