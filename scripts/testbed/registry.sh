#!/usr/bin/env bash
# registry.sh: the test bed's container registry (Docker distribution 2.8,
# Debian's docker-registry), on 127.0.0.1:5000 with htpasswd auth.
#
# Both engines run in this machine's network namespace, so both reach
# 127.0.0.1:5000; dockerd treats 127.0.0.0/8 registries as insecure (plain
# HTTP) by default, and sends basic auth over it, so no TLS is needed.
# The user and a generated password are written once to
# /var/lib/dockhand-testbed/registry/ and into the env file, together with a
# docker config.json (`auths`, as `docker login` writes it) that holds them.
#
# Usage: scripts/testbed/registry.sh [up|down|status]
#   up      start it unless it answers (default; up.sh calls this)
#   down    stop it if up.sh started it (down.sh calls this)
#   status  one status.sh line; exit 1 unless up
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/testbed/lib.sh
. "$HERE/lib.sh"

REGISTRY_ADDR=127.0.0.1:5000
REGISTRY_USER=dockhand
REGISTRY_DIR=$TB_LIB/registry
REGISTRY_DATA=$REGISTRY_DIR/data
REGISTRY_CONFIG=$REGISTRY_DIR/config.yml
REGISTRY_HTPASSWD=$REGISTRY_DIR/htpasswd
REGISTRY_PASSWORD_FILE=$REGISTRY_DIR/password
REGISTRY_DOCKER_CONFIG=$REGISTRY_DIR/docker-config.json
REGISTRY_PIDFILE=$TB_RUN/registry.pid
REGISTRY_LOG=$TB_LOG/registry.log
# /proc/PID/comm of the daemon (15 characters, so not truncated).
REGISTRY_COMM=docker-registry

# up.sh and down.sh call this while holding the test bed lock on fd 9; that
# open file already owns the lock, so take it only when run on our own.
lock_unless_held() {
  if [[ -e /dev/fd/9 && /dev/fd/9 -ef $TB_LOCK ]]; then return; fi
  take_lock
}

registry_password() { cat "$REGISTRY_PASSWORD_FILE"; }

# registry_code [USER:PASSWORD]: the HTTP status of GET /v2/.
registry_code() {
  local auth=()
  [[ $# == 0 ]] || auth=(-u "$1")
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${auth[@]}" "http://$REGISTRY_ADDR/v2/" 2>/dev/null || true
}

# Ours and up: 401 without credentials and 200 with ours (a registry without
# auth, or with other users, on the same port is someone else's).
registry_ping() {
  [[ -s $REGISTRY_PASSWORD_FILE ]] || return 1
  [[ $(registry_code) == 401 && $(registry_code "$REGISTRY_USER:$(registry_password)") == 200 ]]
}

make_credentials() {
  mkdir -p "$REGISTRY_DIR" "$REGISTRY_DATA"
  chmod 700 "$REGISTRY_DIR"
  if [[ ! -s $REGISTRY_PASSWORD_FILE ]]; then
    (umask 077 && openssl rand -hex 16 >"$REGISTRY_PASSWORD_FILE.tmp")
    mv "$REGISTRY_PASSWORD_FILE.tmp" "$REGISTRY_PASSWORD_FILE"
    rm -f "$REGISTRY_HTPASSWD"
  fi
  # bcrypt is the only hash distribution accepts; the file is read at start.
  if [[ ! -s $REGISTRY_HTPASSWD ]]; then
    htpasswd -Bbn "$REGISTRY_USER" "$(registry_password)" | sed '/^$/d' >"$REGISTRY_HTPASSWD.tmp"
    mv "$REGISTRY_HTPASSWD.tmp" "$REGISTRY_HTPASSWD"
  fi
  local auth content
  auth=$(printf '%s:%s' "$REGISTRY_USER" "$(registry_password)" | base64 -w0)
  content=$(printf '{\n  "auths": {\n    "%s": { "auth": "%s" }\n  }\n}' "$REGISTRY_ADDR" "$auth")
  if [[ ! -f $REGISTRY_DOCKER_CONFIG || $(cat "$REGISTRY_DOCKER_CONFIG") != "$content" ]]; then
    (umask 077 && printf '%s\n' "$content" >"$REGISTRY_DOCKER_CONFIG")
  fi
}

write_config() {
  # Our own config file: the package's /etc/docker/registry/config.yml
  # listens on :5000 of every interface and points at a system htpasswd.
  cat >"$REGISTRY_CONFIG.tmp" <<EOF
version: 0.1
log:
  level: info
  fields: { service: dockhand-testbed-registry }
storage:
  filesystem: { rootdirectory: $REGISTRY_DATA }
  delete: { enabled: true }
http:
  addr: $REGISTRY_ADDR
auth:
  htpasswd: { realm: dockhand-testbed, path: $REGISTRY_HTPASSWD }
EOF
  mv "$REGISTRY_CONFIG.tmp" "$REGISTRY_CONFIG"
}

# Lines in the env file that are ours, replaced in place (up.sh writes the
# rest of the file; parts own their own DOCKHAND_TESTBED_<PART>_* lines).
write_env_lines() {
  local ours
  ours=$(
    cat <<EOF
export DOCKHAND_TESTBED_REGISTRY=$REGISTRY_ADDR
export DOCKHAND_TESTBED_REGISTRY_USER=$REGISTRY_USER
export DOCKHAND_TESTBED_REGISTRY_PASSWORD=$(registry_password)
export DOCKHAND_TESTBED_REGISTRY_AUTH=$REGISTRY_DOCKER_CONFIG
EOF
  )
  replace_env_lines DOCKHAND_TESTBED_REGISTRY "$ours"
  printf '%s\n' "$ours" | sed 's/^/  /; s/\(PASSWORD=\).*/\1.../'
}

registry_up() {
  lock_unless_held
  command -v docker-registry >/dev/null || die "docker-registry is not installed (up.sh installs it)"
  make_credentials
  local pid
  if registry_ping; then
    log "up: registry (http://$REGISTRY_ADDR, htpasswd user $REGISTRY_USER)"
  elif pid=$(pid_from_file "$REGISTRY_PIDFILE" "$REGISTRY_COMM"); then
    log "waiting: registry (pid $pid) to answer"
    await_daemon registry "$pid" "$REGISTRY_LOG" registry_ping
    log "up: registry (http://$REGISTRY_ADDR)"
  else
    local code
    code=$(registry_code)
    [[ $code == 000 ]] || die "something else answers on $REGISTRY_ADDR (GET /v2/ gave HTTP $code); stop it first"
    rm -f "$REGISTRY_PIDFILE"
    mkdir -p "$TB_LOG" "$TB_RUN"
    write_config
    log "starting: registry (log $REGISTRY_LOG)"
    printf '\n==== %s registry.sh: docker-registry serve %s\n' "$(date -Is)" "$REGISTRY_CONFIG" >>"$REGISTRY_LOG"
    # setsid and 9>&-: as for the engines in up.sh (outlive this shell, do
    # not hold the test bed lock). It has no pidfile option: we write one.
    setsid docker-registry serve "$REGISTRY_CONFIG" </dev/null >>"$REGISTRY_LOG" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$REGISTRY_PIDFILE"
    mark_started registry "$pid"
    await_daemon registry "$pid" "$REGISTRY_LOG" registry_ping
    log "up: registry (http://$REGISTRY_ADDR, htpasswd user $REGISTRY_USER, pid $pid)"
  fi
  write_env_lines
}

registry_down() {
  lock_unless_held
  local pid
  if pid=$(marked_pid registry "$REGISTRY_COMM"); then
    stop_daemon registry "$pid" 20
    rm -f "$REGISTRY_PIDFILE"
    log "down: registry"
  elif [[ $(registry_code) != 000 ]]; then
    log "left running: registry on $REGISTRY_ADDR (not started by up.sh)"
  else
    log "down: registry"
  fi
  unmark registry
}

registry_status() {
  local pid
  if registry_ping; then
    pid=$(pid_from_file "$REGISTRY_PIDFILE" "$REGISTRY_COMM" || echo '?')
    printf '%-5s %-22s %s\n' up registry "http://$REGISTRY_ADDR pid $pid, htpasswd user $REGISTRY_USER"
  else
    printf '%-5s %-22s %s\n' down registry "http://$REGISTRY_ADDR does not answer with our credentials"
    return 1
  fi
}

case ${1:-up} in
  up) registry_up ;;
  down) registry_down ;;
  status) registry_status ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "unknown argument: $1 (try --help)" ;;
esac
