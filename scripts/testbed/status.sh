#!/usr/bin/env bash
# status.sh: print the state of each test bed component; exit 0 when all are
# up, 1 otherwise. Read-only and quick (no docker CLI, no apt), so tests and
# CI can call it as a precondition check.
#
# Usage: scripts/testbed/status.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/testbed/lib.sh
. "$HERE/lib.sh"

ALL_UP=1

# report STATE COMPONENT DETAIL: one aligned line; anything but "up" fails.
report() {
  printf '%-5s %-22s %s\n' "$1" "$2" "$3"
  [[ $1 == up ]] || ALL_UP=0
}

# Who started it: up.sh (it will stop it) or someone else (it will not).
owner() {
  local component=$1 pid=$2
  if [[ -r $TB_STARTED/$component && $(tr -dc '0-9' <"$TB_STARTED/$component") == "$pid" ]]; then
    echo "started by up.sh"
  else
    echo "not started by up.sh"
  fi
}

if [[ $(id -u) != 0 ]]; then
  # The sockets and pidfiles are root's; without root everything would read
  # as down, which is misleading.
  echo "status.sh: run as root to see the sockets" >&2
  exit 2
fi

for name in "${ENGINES[@]}"; do
  sock=$(engine_sock "$name")
  if engine_ping "$name"; then
    pid=$(pid_from_file "$(engine_pidfile "$name")" dockerd || echo '?')
    report up "engine $name" "unix://$sock pid $pid, ports on $(engine_host_ip "$name"), $(owner "engine-$name" "$pid")"
  elif pid=$(pid_from_file "$(engine_pidfile "$name")" dockerd); then
    report down "engine $name" "pid $pid runs but does not answer on $sock (see $(engine_log "$name"))"
  else
    report down "engine $name" "not running"
  fi
done

if [[ -s $TB_CERTS/ca.pem ]] && beta_tls_ping; then
  report up "engine beta tls" "tcp://$BETA_TCP_HOST:$BETA_TCP_PORT (certs $TB_CERTS)"
else
  report down "engine beta tls" "tcp://$BETA_TCP_HOST:$BETA_TCP_PORT does not answer with the client cert"
fi

for name in "${ENGINES[@]}"; do
  if ! engine_ping "$name"; then
    report down "image on $name" "busybox:stable (engine down)"
  elif image_present "$name" busybox:stable; then
    report up "image on $name" "busybox:stable"
  else
    report down "image on $name" "busybox:stable missing (run up.sh)"
  fi
done

if redis_ping; then
  pid=$(pid_from_file "$REDIS_PIDFILE" redis-server || echo '?')
  report up redis "redis://127.0.0.1:$REDIS_PORT pid $pid, $(owner redis "$pid")"
else
  report down redis "nothing answers on 127.0.0.1:$REDIS_PORT"
fi

bash "$HERE/registry.sh" status || ALL_UP=0
bash "$HERE/pebble.sh" status || ALL_UP=0
bash "$HERE/sshd.sh" status || ALL_UP=0

if [[ -s $TB_ENV_FILE ]]; then
  report up "env file" "$TB_ENV_FILE"
else
  report down "env file" "$TB_ENV_FILE missing (run up.sh)"
fi

((ALL_UP)) && exit 0
exit 1
