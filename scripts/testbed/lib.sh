# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are used by the scripts that source this
# lib.sh: paths and helpers shared by up.sh, down.sh and status.sh.
#
# Sourced, never run. Everything the test bed owns lives under four roots so
# that it never touches a system Docker, a system Redis or anything else that
# may run on the same machine:
#   /var/lib/dockhand-testbed   persistent state (data roots, certs, redis dir, env file)
#   /run/dockhand-testbed       runtime state (sockets, pidfiles, exec roots, markers)
#   /var/log/dockhand-testbed   daemon logs
# NOTE: on these VMs /run is NOT a tmpfs (it lives on the root disk), so
# pidfiles and markers survive a reboot. Every pid read from a file is
# therefore checked against /proc/PID/comm before it is trusted.

TB_LIB=/var/lib/dockhand-testbed
TB_RUN=/run/dockhand-testbed
TB_LOG=/var/log/dockhand-testbed
# One marker per component that up.sh itself started; down.sh stops only those.
TB_STARTED=$TB_RUN/started
TB_CERTS=$TB_LIB/certs
# The CA key is kept apart from certs/ so that certs/ can be handed to clients
# as DOCKER_CERT_PATH without also handing out the power to mint certs.
TB_CA_DIR=$TB_LIB/ca
TB_ENV_FILE=$TB_LIB/env
TB_LOCK=$TB_RUN/lock

REDIS_PORT=6399
REDIS_DIR=$TB_LIB/redis
REDIS_PIDFILE=$REDIS_DIR/redis.pid

BETA_TCP_HOST=127.0.0.2
BETA_TCP_PORT=2376

# Use the Docker CLI that ships with docker.io (/usr/bin/docker, 20.10): it is
# the same version as the daemons, so no API version negotiation can surprise
# us. A newer CLI may sit earlier in PATH (/usr/local/bin/docker 28.x here).
DOCKER_CLI=/usr/bin/docker

ENGINES=(alpha beta)

# Per-engine layout. Kept as functions so that the three scripts cannot drift.
engine_sock()      { echo "$TB_RUN/$1.sock"; }
engine_pidfile()   { echo "$TB_RUN/$1.pid"; }
engine_data_root() { echo "$TB_LIB/$1"; }
engine_exec_root() { echo "$TB_RUN/$1"; }
engine_config()    { echo "$TB_LIB/$1.daemon.json"; }
engine_log()       { echo "$TB_LOG/$1.log"; }
# Each engine gets its own bridge rather than docker0: down.sh can then remove
# exactly what up.sh made, and a system Docker's docker0 is never touched.
engine_bridge() { case $1 in alpha) echo dhalpha0 ;; beta) echo dhbeta0 ;; esac; }
engine_bridge_cidr() { case $1 in alpha) echo 172.30.0.1/24 ;; beta) echo 172.31.0.1/24 ;; esac; }
# Published ports bind here (dockerd --ip): each "host" has its own address.
engine_host_ip() { case $1 in alpha) echo 127.0.0.1 ;; beta) echo 127.0.0.2 ;; esac; }
# Pools for user-defined networks (docker network create). Without distinct
# pools BOTH daemons hand out 172.18.0.0/16 first, and two host bridges with
# the same subnet break routing for whichever came second.
engine_addr_pool() { case $1 in alpha) echo 10.230.0.0/16 ;; beta) echo 10.231.0.0/16 ;; esac; }

log()  { printf '%s\n' "$*"; }
warn() { printf 'testbed: %s\n' "$*" >&2; }
die()  { printf 'testbed: ERROR: %s\n' "$*" >&2; exit 1; }

# pid_from_file FILE COMM: print the pid in FILE if that process is alive and
# its command name is COMM; fail otherwise (stale file, reused pid, no file).
pid_from_file() {
  local file=$1 comm=$2 pid
  [[ -r $file ]] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [[ -n $pid ]] || return 1
  pid_is "$pid" "$comm" || return 1
  echo "$pid"
}

# pid_is PID COMM: is PID alive (not a zombie) and named COMM?
# Zombies matter here: pid 1 on these VMs is not a full init and reaps
# orphans only after a few seconds, so a killed daemon lingers as "Z" with its
# /proc entry and comm intact, and kill -0 still succeeds on it.
pid_is() {
  local pid=$1 comm=$2 actual stat
  actual=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $actual == "$comm" ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  # Field 3, after "(comm)"; comm may hold spaces, so cut at the last ")".
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# pid_gone PID: has PID exited (or is only a zombie waiting to be reaped)?
pid_gone() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  [[ ${stat%% *} == Z ]]
}

# engine_ping NAME: does the engine answer on its unix socket? curl is used
# rather than the docker CLI because it costs ~10 ms instead of ~100 ms, which
# keeps a warm up.sh / status.sh well under a second.
engine_ping() {
  local out
  out=$(curl -s --max-time 2 --unix-socket "$(engine_sock "$1")" http://localhost/_ping 2>/dev/null) || return 1
  [[ $out == OK ]]
}

# docker_on NAME ARGS...: the docker CLI pointed at one engine's unix socket.
docker_on() {
  local name=$1
  shift
  DOCKER_HOST="unix://$(engine_sock "$name")" "$DOCKER_CLI" "$@"
}

image_present() {
  # GET /images/NAME/json: 200 if present, 404 if not.
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    --unix-socket "$(engine_sock "$1")" "http://localhost/images/$2/json" 2>/dev/null) || return 1
  [[ $code == 200 ]]
}

redis_ping() {
  [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

# beta_tls_ping: the TCP+TLS endpoint answers with the client cert.
beta_tls_ping() {
  local out
  out=$(curl -s --max-time 3 --cacert "$TB_CERTS/ca.pem" --cert "$TB_CERTS/cert.pem" \
    --key "$TB_CERTS/key.pem" "https://$BETA_TCP_HOST:$BETA_TCP_PORT/_ping" 2>/dev/null) || return 1
  [[ $out == OK ]]
}

# take_lock: serialise concurrent up.sh / down.sh runs (say CI and a developer
# at once); a second run waits for the first, then finds everything up.
# Every daemon started while the lock is held must be started with 9>&-:
# flock locks belong to the open file, so a daemon that inherits fd 9 holds
# the lock for its whole life.
take_lock() {
  mkdir -p "$TB_RUN"
  exec 9>"$TB_LOCK"
  flock -w 600 9 || die "another testbed script holds $TB_LOCK for over 10 minutes"
}

# mark_started COMPONENT [PID]: remember that up.sh started COMPONENT.
mark_started() {
  mkdir -p "$TB_STARTED"
  echo "${2:-}" >"$TB_STARTED/$1"
}
is_marked() { [[ -e $TB_STARTED/$1 ]]; }
unmark() { rm -f "$TB_STARTED/$1"; }

# await_daemon NAME PID LOG PING: wait up to 20 s until the command PING
# succeeds; a daemon that exits meanwhile, or never answers, ends the script
# with the last lines of its LOG.
await_daemon() {
  local name=$1 pid=$2 logfile=$3 ping=$4 deadline=$((SECONDS + 20))
  until "$ping"; do
    if pid_gone "$pid"; then
      warn "$name exited while starting; last lines of $logfile:"
      tail -n 15 "$logfile" >&2 || true
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      warn "$name not ready after 20s; last lines of $logfile:"
      tail -n 15 "$logfile" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
}

# replace_env_lines PREFIX LINES: a test-bed part owns the env file's lines
# that start with `export PREFIX`; they are replaced by LINES (up.sh writes
# the rest). The file is rewritten only when it changes, by rename.
replace_env_lines() {
  local prefix=$1 ours=$2 others content
  others=$(grep -v "^export $prefix" "$TB_ENV_FILE" 2>/dev/null || true)
  content=$(printf '%s\n%s' "$others" "$ours")
  if [[ ! -f $TB_ENV_FILE || $(cat "$TB_ENV_FILE") != "$content" ]]; then
    printf '%s\n' "$content" >"$TB_ENV_FILE.$prefix.tmp"
    mv "$TB_ENV_FILE.$prefix.tmp" "$TB_ENV_FILE"
  fi
}

# wait_gone PID SECONDS: poll until PID has exited; fail if it has not.
wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2))
  until pid_gone "$pid"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# The marked pid, if that process is still the daemon we started.
marked_pid() {
  local component=$1 comm=$2
  is_marked "$component" || return 1
  pid_from_file "$TB_STARTED/$component" "$comm"
}

# stop_daemon NAME PID SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL.
stop_daemon() {
  local name=$1 pid=$2 grace=$3
  log "stopping: $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" "$grace"; then
    warn "$name (pid $pid) still running after $grace s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
}
