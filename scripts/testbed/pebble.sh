#!/usr/bin/env bash
# pebble.sh: the test bed's ACME server (Let's Encrypt's Pebble, Debian's
# pebble), for Caddy's automatic HTTPS tests.
#
#   ACME directory  https://127.0.0.1:14000/dir
#   management API  https://127.0.0.1:15000 (GET /roots/0: the root that signs
#                   every certificate Pebble issues; Pebble makes a new root at
#                   each start, so tests fetch it rather than keep a copy)
#
# Both listeners serve HTTPS with a certificate from a small CA this script
# makes once under /var/lib/dockhand-testbed/pebble/ (https-ca.pem is what an
# ACME client must trust to talk to Pebble). Pebble runs with
# PEBBLE_VA_ALWAYS_VALID=1 (every challenge passes, so no DNS and no port 80
# are needed), PEBBLE_VA_NOSLEEP=1 and PEBBLE_WFE_NONCEREJECT=0 (no random
# badNonce answers). The facts go into the env file as
# DOCKHAND_TESTBED_PEBBLE_* lines.
#
# Usage: scripts/testbed/pebble.sh [up|down|status]
#   up      start it unless it answers (default; up.sh calls this)
#   down    stop it if up.sh started it (down.sh calls this)
#   status  one status.sh line; exit 1 unless up
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/testbed/lib.sh
. "$HERE/lib.sh"

PEBBLE_ADDR=127.0.0.1:14000
PEBBLE_MANAGEMENT=127.0.0.1:15000
PEBBLE_DIR=$TB_LIB/pebble
PEBBLE_CONFIG=$PEBBLE_DIR/pebble-config.json
PEBBLE_HTTPS_CA=$PEBBLE_DIR/https-ca.pem
PEBBLE_PIDFILE=$TB_RUN/pebble.pid
PEBBLE_LOG=$TB_LOG/pebble.log
PEBBLE_COMM=pebble

# up.sh and down.sh call this while holding the test bed lock on fd 9.
lock_unless_held() {
  if [[ -e /dev/fd/9 && /dev/fd/9 -ef $TB_LOCK ]]; then return; fi
  take_lock
}

# Ours and up: the directory answers over HTTPS with our CA, and names newAccount.
pebble_ping() {
  [[ -s $PEBBLE_HTTPS_CA ]] || return 1
  curl -s --max-time 2 --cacert "$PEBBLE_HTTPS_CA" "https://$PEBBLE_ADDR/dir" 2>/dev/null | grep -q newAccount
}

make_pebble_certs() {
  if [[ -s $PEBBLE_HTTPS_CA && -s $PEBBLE_DIR/cert.pem && -s $PEBBLE_DIR/key.pem ]]; then return; fi
  log "making: Pebble's HTTPS CA and certificate in $PEBBLE_DIR"
  local tmp
  tmp=$(mktemp -d)
  (
    cd "$tmp"
    umask 077
    openssl req -x509 -new -newkey rsa:2048 -nodes -days 3650 -sha256 \
      -subj '/CN=dockhand-testbed Pebble HTTPS CA' -keyout ca-key.pem -out https-ca.pem 2>/dev/null
    openssl req -new -newkey rsa:2048 -nodes -subj '/CN=dockhand-testbed-pebble' \
      -keyout key.pem -out server.csr 2>/dev/null
    printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'extendedKeyUsage=serverAuth' \
      'basicConstraints=CA:FALSE' >server.ext
    openssl x509 -req -in server.csr -CA https-ca.pem -CAkey ca-key.pem -CAcreateserial \
      -days 3650 -sha256 -extfile server.ext -out cert.pem 2>/dev/null
    chmod 644 https-ca.pem cert.pem
  )
  mkdir -p "$PEBBLE_DIR"
  # The CA key is not needed again: every start reuses cert.pem.
  mv "$tmp/cert.pem" "$tmp/key.pem" "$PEBBLE_DIR/"
  mv "$tmp/https-ca.pem" "$PEBBLE_HTTPS_CA"
  rm -rf "$tmp"
}

write_config() {
  cat >"$PEBBLE_CONFIG.tmp" <<EOF
{
  "pebble": {
    "listenAddress": "$PEBBLE_ADDR",
    "managementListenAddress": "$PEBBLE_MANAGEMENT",
    "certificate": "$PEBBLE_DIR/cert.pem",
    "privateKey": "$PEBBLE_DIR/key.pem",
    "httpPort": 5002,
    "tlsPort": 5001,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
EOF
  mv "$PEBBLE_CONFIG.tmp" "$PEBBLE_CONFIG"
}

# Our DOCKHAND_TESTBED_PEBBLE_* lines in the env file, replaced in place.
write_env_lines() {
  local ours
  ours=$(
    cat <<EOF
export DOCKHAND_TESTBED_PEBBLE_DIRECTORY=https://$PEBBLE_ADDR/dir
export DOCKHAND_TESTBED_PEBBLE_HTTPS_CA=$PEBBLE_HTTPS_CA
export DOCKHAND_TESTBED_PEBBLE_ROOTS=https://$PEBBLE_MANAGEMENT/roots/0
EOF
  )
  replace_env_lines DOCKHAND_TESTBED_PEBBLE "$ours"
  printf '%s\n' "$ours" | sed 's/^/  /'
}

pebble_up() {
  lock_unless_held
  command -v pebble >/dev/null || die "pebble is not installed (up.sh installs it)"
  make_pebble_certs
  local pid
  if pebble_ping; then
    log "up: pebble (https://$PEBBLE_ADDR/dir)"
  elif pid=$(pid_from_file "$PEBBLE_PIDFILE" "$PEBBLE_COMM"); then
    log "waiting: pebble (pid $pid) to answer"
    await_daemon pebble "$pid" "$PEBBLE_LOG" pebble_ping
    log "up: pebble (https://$PEBBLE_ADDR/dir)"
  else
    if curl -s -o /dev/null --max-time 2 -k "https://$PEBBLE_ADDR/" 2>/dev/null; then
      die "something else answers on $PEBBLE_ADDR; stop it first"
    fi
    rm -f "$PEBBLE_PIDFILE"
    mkdir -p "$TB_LOG" "$TB_RUN"
    write_config
    log "starting: pebble (log $PEBBLE_LOG)"
    printf '\n==== %s pebble.sh: pebble -config %s\n' "$(date -Is)" "$PEBBLE_CONFIG" >>"$PEBBLE_LOG"
    # setsid and 9>&-: as for the engines in up.sh. Pebble has no pidfile option: we write one.
    PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
      setsid pebble -config "$PEBBLE_CONFIG" </dev/null >>"$PEBBLE_LOG" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$PEBBLE_PIDFILE"
    mark_started pebble "$pid"
    await_daemon pebble "$pid" "$PEBBLE_LOG" pebble_ping
    log "up: pebble (https://$PEBBLE_ADDR/dir, pid $pid)"
  fi
  write_env_lines
}

pebble_down() {
  lock_unless_held
  local pid
  if pid=$(marked_pid pebble "$PEBBLE_COMM"); then
    stop_daemon pebble "$pid" 10
    rm -f "$PEBBLE_PIDFILE"
    log "down: pebble"
  elif pebble_ping; then
    log "left running: pebble on $PEBBLE_ADDR (not started by up.sh)"
  else
    log "down: pebble"
  fi
  unmark pebble
}

pebble_status() {
  local pid
  if pebble_ping; then
    pid=$(pid_from_file "$PEBBLE_PIDFILE" "$PEBBLE_COMM" || echo '?')
    printf '%-5s %-22s %s\n' up pebble "https://$PEBBLE_ADDR/dir pid $pid, management https://$PEBBLE_MANAGEMENT"
  else
    printf '%-5s %-22s %s\n' down pebble "https://$PEBBLE_ADDR/dir does not answer with our HTTPS CA"
    return 1
  fi
}

case ${1:-up} in
  up) pebble_up ;;
  down) pebble_down ;;
  status) pebble_status ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "unknown argument: $1 (try --help)" ;;
esac
