#!/usr/bin/env bash
# sshd.sh: an OpenSSH server in front of engine beta's unix socket, so the
# `docker: ssh://` transport is tested against the real thing.
#
#   ssh://root@127.0.0.2:2222  key-only login (no passwords, no PAM); the
#                              one thing a client may do is forward a stream
#                              to a unix socket (AllowStreamLocalForwarding):
#                              beta's /run/dockhand-testbed/beta.sock
#
# Made once under /var/lib/dockhand-testbed/ssh/: the server's own host key
# (ed25519), a passphrase-less client key, authorized_keys (the client key,
# restricted to forwarding) and a known_hosts file with the line a client
# needs ("[127.0.0.2]:2222 ssh-ed25519 ..."). sshd runs with its own config
# (never /etc/ssh/sshd_config) and LogLevel VERBOSE, so its log has one
# "Accepted publickey" line per connection. The facts go into the env file
# as DOCKHAND_TESTBED_SSH_* lines.
#
# Usage: scripts/testbed/sshd.sh [up|down|status]
#   up      start it unless it answers with our host key (default; up.sh calls this)
#   down    stop it if up.sh started it (down.sh calls this)
#   status  one status.sh line; exit 1 unless up
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/testbed/lib.sh
. "$HERE/lib.sh"

SSHD_HOST=127.0.0.2
SSHD_PORT=2222
SSHD_USER=root
SSH_DIR=$TB_LIB/ssh
SSHD_CONFIG=$SSH_DIR/sshd_config
SSHD_HOST_KEY=$SSH_DIR/ssh_host_ed25519_key
SSH_CLIENT_KEY=$SSH_DIR/client_ed25519
SSH_AUTHORIZED_KEYS=$SSH_DIR/authorized_keys
SSH_KNOWN_HOSTS=$SSH_DIR/known_hosts
SSHD_PIDFILE=$TB_RUN/sshd.pid
SSHD_LOG=$TB_LOG/sshd.log
SSHD_COMM=sshd

# up.sh and down.sh call this while holding the test bed lock on fd 9.
lock_unless_held() {
  if [[ -e /dev/fd/9 && /dev/fd/9 -ef $TB_LOCK ]]; then return; fi
  take_lock
}

# The host key line a client must trust: "[host]:port type base64".
known_hosts_line() {
  printf '[%s]:%s %s\n' "$SSHD_HOST" "$SSHD_PORT" "$(cut -d' ' -f1,2 "$SSHD_HOST_KEY.pub")"
}

# Ours and up: the server on our port shows our host key.
sshd_ping() {
  [[ -s $SSHD_HOST_KEY.pub ]] || return 1
  local scanned
  scanned=$(ssh-keyscan -T 2 -t ed25519 -p "$SSHD_PORT" "$SSHD_HOST" 2>/dev/null | cut -d' ' -f2,3) || return 1
  [[ -n $scanned && $scanned == "$(cut -d' ' -f1,2 "$SSHD_HOST_KEY.pub")" ]]
}

make_keys() {
  mkdir -p "$SSH_DIR"
  # sshd's StrictModes refuses an authorized_keys file in a group- or world-writable directory.
  chmod 755 "$SSH_DIR"
  if [[ ! -s $SSHD_HOST_KEY || ! -s $SSHD_HOST_KEY.pub ]]; then
    rm -f "$SSHD_HOST_KEY" "$SSHD_HOST_KEY.pub"
    ssh-keygen -q -t ed25519 -N '' -C dockhand-testbed-sshd -f "$SSHD_HOST_KEY"
    log "made: sshd host key $SSHD_HOST_KEY"
  fi
  if [[ ! -s $SSH_CLIENT_KEY || ! -s $SSH_CLIENT_KEY.pub ]]; then
    rm -f "$SSH_CLIENT_KEY" "$SSH_CLIENT_KEY.pub"
    ssh-keygen -q -t ed25519 -N '' -C dockhand-testbed-client -f "$SSH_CLIENT_KEY"
    log "made: ssh client key $SSH_CLIENT_KEY"
  fi
  # restrict: no shell pty, agent or X11; port-forwarding gives back
  # forwarding, which is what reaches the engine's socket.
  local authorized known
  authorized="restrict,port-forwarding $(cat "$SSH_CLIENT_KEY.pub")"
  [[ -f $SSH_AUTHORIZED_KEYS && $(cat "$SSH_AUTHORIZED_KEYS") == "$authorized" ]] ||
    printf '%s\n' "$authorized" >"$SSH_AUTHORIZED_KEYS"
  known=$(known_hosts_line)
  [[ -f $SSH_KNOWN_HOSTS && $(cat "$SSH_KNOWN_HOSTS") == "$known" ]] || printf '%s\n' "$known" >"$SSH_KNOWN_HOSTS"
  chmod 600 "$SSH_CLIENT_KEY" "$SSHD_HOST_KEY"
  chmod 644 "$SSH_AUTHORIZED_KEYS" "$SSH_KNOWN_HOSTS"
}

write_config() {
  # AllowTcpForwarding must allow local forwarding: OpenSSH 9.2 grants a
  # streamlocal (socket) forward only where it grants a local TCP one, and
  # PermitOpen none denies socket paths too.
  cat >"$SSHD_CONFIG.tmp" <<EOF
# dockhand test bed sshd, written by scripts/testbed/sshd.sh
Port $SSHD_PORT
ListenAddress $SSHD_HOST
HostKey $SSHD_HOST_KEY
PidFile $SSHD_PIDFILE
AuthorizedKeysFile $SSH_AUTHORIZED_KEYS
AllowUsers $SSHD_USER
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowStreamLocalForwarding yes
AllowTcpForwarding local
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
LogLevel VERBOSE
MaxStartups 100:30:200
EOF
  mv "$SSHD_CONFIG.tmp" "$SSHD_CONFIG"
}

# Our DOCKHAND_TESTBED_SSH* lines in the env file, replaced in place.
write_env_lines() {
  local ours
  ours=$(
    cat <<EOF
export DOCKHAND_TESTBED_SSH=ssh://$SSHD_USER@$SSHD_HOST:$SSHD_PORT
export DOCKHAND_TESTBED_SSH_SOCKET=$(engine_sock beta)
export DOCKHAND_TESTBED_SSH_KEY=$SSH_CLIENT_KEY
export DOCKHAND_TESTBED_SSH_KNOWN_HOSTS=$SSH_KNOWN_HOSTS
export DOCKHAND_TESTBED_SSH_AUTHORIZED_KEYS=$SSH_AUTHORIZED_KEYS
export DOCKHAND_TESTBED_SSH_LOG=$SSHD_LOG
EOF
  )
  replace_env_lines DOCKHAND_TESTBED_SSH "$ours"
  printf '%s\n' "$ours" | sed 's/^/  /'
}

sshd_up() {
  lock_unless_held
  [[ -x /usr/sbin/sshd ]] || die "/usr/sbin/sshd is not installed (up.sh installs openssh-server)"
  make_keys
  local pid
  if sshd_ping; then
    log "up: sshd (ssh://$SSHD_USER@$SSHD_HOST:$SSHD_PORT)"
  elif pid=$(pid_from_file "$SSHD_PIDFILE" "$SSHD_COMM"); then
    log "waiting: sshd (pid $pid) to answer"
    await_daemon sshd "$pid" "$SSHD_LOG" sshd_ping
    log "up: sshd (ssh://$SSHD_USER@$SSHD_HOST:$SSHD_PORT)"
  else
    if ssh-keyscan -T 2 -p "$SSHD_PORT" "$SSHD_HOST" >/dev/null 2>&1; then
      die "another ssh server answers on $SSHD_HOST:$SSHD_PORT with another host key; stop it first"
    fi
    rm -f "$SSHD_PIDFILE"
    mkdir -p "$TB_LOG" "$TB_RUN" /run/sshd
    write_config
    /usr/sbin/sshd -t -f "$SSHD_CONFIG" || die "sshd refuses its config $SSHD_CONFIG"
    log "starting: sshd (log $SSHD_LOG)"
    printf '\n==== %s sshd.sh: sshd -D -f %s\n' "$(date -Is)" "$SSHD_CONFIG" >>"$SSHD_LOG"
    # -D with setsid rather than sshd's own daemonising: $! is then the
    # daemon's pid (for the marker) and 9>&- keeps the test bed lock ours.
    setsid /usr/sbin/sshd -D -f "$SSHD_CONFIG" -E "$SSHD_LOG" </dev/null >>"$SSHD_LOG" 2>&1 9>&- &
    pid=$!
    mark_started sshd "$pid"
    await_daemon sshd "$pid" "$SSHD_LOG" sshd_ping
    log "up: sshd (ssh://$SSHD_USER@$SSHD_HOST:$SSHD_PORT, pid $pid)"
  fi
  write_env_lines
}

sshd_down() {
  lock_unless_held
  local pid
  if pid=$(marked_pid sshd "$SSHD_COMM"); then
    stop_daemon sshd "$pid" 10
    rm -f "$SSHD_PIDFILE"
    log "down: sshd"
  elif sshd_ping; then
    log "left running: sshd on $SSHD_HOST:$SSHD_PORT (not started by up.sh)"
  else
    log "down: sshd"
  fi
  unmark sshd
}

sshd_status() {
  local pid
  if sshd_ping; then
    pid=$(pid_from_file "$SSHD_PIDFILE" "$SSHD_COMM" || echo '?')
    printf '%-5s %-22s %s\n' up sshd "ssh://$SSHD_USER@$SSHD_HOST:$SSHD_PORT pid $pid, to $(engine_sock beta)"
  else
    printf '%-5s %-22s %s\n' down sshd "$SSHD_HOST:$SSHD_PORT does not answer with our host key"
    return 1
  fi
}

case ${1:-up} in
  up) sshd_up ;;
  down) sshd_down ;;
  status) sshd_status ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "unknown argument: $1 (try --help)" ;;
esac
