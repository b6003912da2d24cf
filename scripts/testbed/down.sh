#!/usr/bin/env bash
# down.sh: stop what scripts/testbed/up.sh started, and nothing else.
#
# up.sh leaves a marker per component under /run/dockhand-testbed/started/
# (holding the pid it started). Only marked components are stopped: an engine
# or a redis that someone started by hand on the same socket/port is left
# running and reported. Data (images, containers, volumes, redis AOF, certs)
# is kept, so the next up.sh is quick; --purge deletes it as well.
#
# Usage: scripts/testbed/down.sh [--purge]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/testbed/lib.sh
. "$HERE/lib.sh"

PURGE=0
for arg in "$@"; do
  case $arg in
    --purge) PURGE=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (try --help)" ;;
  esac
done

[[ $(id -u) == 0 ]] || die "run as root"

stop_engines() {
  # SIGTERM to all first, then wait: dockerd stops its running containers on
  # SIGTERM (each gets its stop timeout, 10 s by default, and the daemon gives
  # up after its 15 s shutdown-timeout), so stopping the engines one by one
  # could add those waits up.
  local name pid containerd_pid
  declare -A stopping=()
  for name in "${ENGINES[@]}"; do
    if pid=$(marked_pid "engine-$name" dockerd); then
      log "stopping: engine $name (pid $pid)"
      kill -TERM "$pid"
      stopping[$name]=$pid
    else
      unmark "engine-$name"
      if engine_ping "$name"; then
        log "left running: engine $name (not started by up.sh)"
      else
        log "down: engine $name"
      fi
    fi
  done
  for name in "${!stopping[@]}"; do
    pid=${stopping[$name]}
    # The managed containerd: dockerd stops it on the way out; wait for it too
    # so that a following up.sh does not meet a half-dead containerd.
    containerd_pid=$(pid_from_file "$(engine_exec_root "$name")/containerd/containerd.pid" containerd || true)
    if ! wait_gone "$pid" 60; then
      warn "engine $name (pid $pid) still running after 60 s; sending SIGKILL"
      grep -v 'module=grpc' "$(engine_log "$name")" | tail -n 10 >&2 || true
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || die "engine $name (pid $pid) survived SIGKILL"
    fi
    if [[ -n $containerd_pid ]] && ! wait_gone "$containerd_pid" 20; then
      warn "containerd of engine $name (pid $containerd_pid) still running; sending SIGTERM"
      kill -TERM "$containerd_pid" 2>/dev/null || true
      wait_gone "$containerd_pid" 10 || kill -KILL "$containerd_pid" 2>/dev/null || true
    fi
    unmark "engine-$name"
    log "down: engine $name"
  done
}

remove_bridges() {
  local name br
  for name in "${ENGINES[@]}"; do
    br=$(engine_bridge "$name")
    if is_marked "bridge-$br" || ((PURGE)); then
      # Only once its engine is gone: dockerd keeps using the bridge.
      if pid_from_file "$(engine_pidfile "$name")" dockerd >/dev/null; then
        log "kept: bridge $br (engine $name still running)"
        continue
      fi
      if ip link show "$br" >/dev/null 2>&1; then
        ip link del "$br"
        log "removed: bridge $br"
      fi
      unmark "bridge-$br"
    fi
  done
}

stop_redis() {
  local pid
  if pid=$(marked_pid redis redis-server); then
    log "stopping: redis (pid $pid)"
    # SHUTDOWN rather than a signal: redis fsyncs the AOF and exits cleanly,
    # and the data is there again on the next up.sh.
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 30; then
      warn "redis (pid $pid) still running after 30 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || die "redis (pid $pid) survived SIGKILL"
    fi
    log "down: redis"
  elif redis_ping; then
    log "left running: redis on $REDIS_PORT (not started by up.sh)"
  else
    log "down: redis"
  fi
  unmark redis
}

purge_iptables_rules() {
  command -v iptables >/dev/null || return 0
  local table rule bridges
  bridges="$(engine_bridge alpha)|$(engine_bridge beta)"
  for table in filter nat; do
    # "iptables -S" prints rules as "-A CHAIN ..."; the same text with -D
    # deletes that rule.
    iptables -t "$table" -S | grep -E -- "(-i|-o) ($bridges)( |$)" | while read -r rule; do
      # shellcheck disable=SC2086  # split the rule into its arguments
      iptables -t "$table" ${rule/#-A /-D } || warn "could not delete iptables rule: $rule"
    done || true
  done
}

purge() {
  # Refuse while anything still runs on our dirs: removing a live data root
  # breaks the daemon in ways that are hard to clean up afterwards.
  local name
  for name in "${ENGINES[@]}"; do
    if engine_ping "$name" || pid_from_file "$(engine_pidfile "$name")" dockerd >/dev/null; then
      die "--purge: engine $name is still running (not started by up.sh?); stop it first"
    fi
  done
  redis_ping && die "--purge: redis on $REDIS_PORT is still running; stop it first"
  # A daemon that was SIGKILLed can leave overlay/netns mounts behind; rm -rf
  # would fail on them halfway, so say which instead.
  local mounts
  mounts=$(findmnt -rn -o TARGET | grep -E "^($TB_LIB|$TB_RUN)(/|$)" || true)
  [[ -z $mounts ]] || die "--purge: still mounted (umount them first):"$'\n'"$mounts"
  # dockerd leaves its per-bridge iptables rules behind when it exits (they
  # are harmless with the bridge gone, and reused on the next start); a purge
  # removes them too. Shared chains (DOCKER, DOCKER-USER, ...) are left: a
  # system Docker may use them.
  purge_iptables_rules
  rm -rf --one-file-system "$TB_LIB" "$TB_LOG"
  # Keep $TB_RUN itself: it holds the lock this script holds.
  find "$TB_RUN" -mindepth 1 -maxdepth 1 ! -name lock -exec rm -rf --one-file-system {} +
  log "purged: $TB_LIB $TB_LOG $TB_RUN"
}

main() {
  take_lock
  stop_engines
  remove_bridges
  stop_redis
  bash "$HERE/registry.sh" down
  bash "$HERE/pebble.sh" down
  bash "$HERE/sshd.sh" down
  if ((PURGE)); then
    purge
  fi
}

main
