#!/usr/bin/env bash
# up.sh: install and start the dockhand test bed, idempotently.
#
# What it brings up (see docs/testbed.md):
#   engine alpha  dockerd on unix:///run/dockhand-testbed/alpha.sock, ports on 127.0.0.1
#   engine beta   dockerd on unix:///run/dockhand-testbed/beta.sock and
#                 tcp://127.0.0.2:2376 (TLS, client cert required), ports on 127.0.0.2
#   redis         127.0.0.1:6399
#   sshd          ssh://root@127.0.0.2:2222 in front of beta's unix socket (sshd.sh)
#   busybox:stable on both engines, imported offline (there is no registry here)
# and writes /var/lib/dockhand-testbed/env for tests to source.
#
# Anything already up is left alone; a warm run only prints "up" lines. What
# this script starts is recorded under /run/dockhand-testbed/started/ so that
# down.sh stops only that.
#
# Usage: scripts/testbed/up.sh [--smoke]
#   --smoke  build and serve a FROM busybox:stable httpd image on both engines
#            even if nothing was started (it always runs after a start).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/testbed/lib.sh
. "$HERE/lib.sh"

FORCE_SMOKE=0
for arg in "$@"; do
  case $arg in
    --smoke) FORCE_SMOKE=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (try --help)" ;;
  esac
done

[[ $(id -u) == 0 ]] || die "run as root: it installs packages and starts daemons"

# Engines that this run started or (re)seeded: these get the smoke test.
declare -A NEEDS_SMOKE=()

# ---------------------------------------------------------------------------
# 1. Packages. Nothing installed by hand survives to a fresh machine, so this
# script is what installs them. apt is slow (~1 min) even when it has nothing
# to do, so ask dpkg first and touch apt only for what is missing.
# ---------------------------------------------------------------------------
PACKAGES=(docker.io redis-server busybox-static openssl iproute2 nginx-light caddy git curl docker-registry apache2-utils pebble libnginx-mod-http-js openssh-server)

install_packages() {
  local missing=() pkg status
  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "up: packages (${PACKAGES[*]})"
    return
  fi
  log "installing: ${missing[*]}"
  # DPkg::Lock::Timeout makes apt wait for another apt/dpkg run (e.g. one a
  # provisioning step started in the background) instead of failing at once.
  # policy-rc.d on these VMs stops the packages from starting their own
  # system services; if it is absent they may start a system dockerd/redis on
  # the default sockets/ports, which the test bed neither uses nor clashes with.
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
  log "installed: ${missing[*]}"
}

# ---------------------------------------------------------------------------
# 2. TLS material for beta's TCP endpoint, made once.
# ---------------------------------------------------------------------------
make_certs() {
  if [[ -s $TB_CERTS/ca.pem && -s $TB_CERTS/server-cert.pem && -s $TB_CERTS/server-key.pem &&
    -s $TB_CERTS/cert.pem && -s $TB_CERTS/key.pem ]]; then
    log "up: certs ($TB_CERTS)"
    return
  fi
  log "making: CA, server and client certs in $TB_CERTS"
  local tmp
  tmp=$(mktemp -d)
  mkdir -p "$TB_CERTS" "$TB_CA_DIR"
  chmod 700 "$TB_CA_DIR"
  # Written to a temp dir first and moved into place at the end, so that an
  # interrupted run can never leave a half set that the check above accepts.
  (
    cd "$tmp"
    umask 077
    # CA (req -x509 gives basicConstraints CA:TRUE from the default config).
    openssl req -x509 -new -newkey rsa:2048 -nodes -days 3650 -sha256 \
      -subj '/CN=dockhand-testbed CA' -keyout ca-key.pem -out ca.pem 2>/dev/null
    # Server: IP SAN 127.0.0.2 because clients (dockerode, the docker CLI)
    # dial the IP; DNS:localhost for clients that name the host.
    openssl req -new -newkey rsa:2048 -nodes -subj '/CN=dockhand-testbed-beta' \
      -keyout server-key.pem -out server.csr 2>/dev/null
    printf '%s\n' 'subjectAltName=IP:127.0.0.2,DNS:localhost' \
      'extendedKeyUsage=serverAuth' 'keyUsage=critical,digitalSignature,keyEncipherment' \
      'basicConstraints=CA:FALSE' 'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid,issuer' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
      -days 3650 -sha256 -extfile server.ext -out server-cert.pem 2>/dev/null
    # Client pair named cert.pem/key.pem: docker's DOCKER_CERT_PATH convention.
    openssl req -new -newkey rsa:2048 -nodes -subj '/CN=dockhand-testbed-client' \
      -keyout key.pem -out client.csr 2>/dev/null
    printf '%s\n' 'extendedKeyUsage=clientAuth' 'keyUsage=critical,digitalSignature' \
      'basicConstraints=CA:FALSE' 'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid,issuer' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
      -days 3650 -sha256 -extfile client.ext -out cert.pem 2>/dev/null
    chmod 644 ca.pem server-cert.pem cert.pem
  )
  mv "$tmp/ca-key.pem" "$tmp/ca.srl" "$TB_CA_DIR/"
  mv "$tmp/ca.pem" "$tmp/server-cert.pem" "$tmp/server-key.pem" "$tmp/cert.pem" "$tmp/key.pem" "$TB_CERTS/"
  rm -rf "$tmp"
}

# ---------------------------------------------------------------------------
# 3. Engines.
# ---------------------------------------------------------------------------

# log_tail FILE: the end of a daemon log, without dockerd's chatty gRPC lines
# (they bury the one line that says why it stopped).
log_tail() {
  grep -v 'module=grpc' "$1" 2>/dev/null | tail -n 25 >&2 || true
}

# wait_until SECONDS WHAT PIDFILE/- LOG CHECK...: poll CHECK every 0.2 s.
# Fails early if the daemon's process died, with the tail of its log.
wait_until() {
  local limit=$1 what=$2 pid=$3 logfile=$4
  shift 4
  local deadline=$((SECONDS + limit))
  until "$@"; do
    if [[ $pid != - ]] && pid_gone "$pid"; then
      warn "$what exited while starting; last lines of $logfile:"
      log_tail "$logfile"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      warn "$what not ready after ${limit}s; last lines of $logfile:"
      log_tail "$logfile"
      exit 1
    fi
    sleep 0.2
  done
}

ensure_bridge() {
  local name=$1 br cidr
  br=$(engine_bridge "$name")
  cidr=$(engine_bridge_cidr "$name")
  if ! ip link show "$br" >/dev/null 2>&1; then
    ip link add "$br" type bridge
    mark_started "bridge-$br"
  fi
  # dockerd takes the bridge's address as the network's gateway and subnet,
  # so it must be there before dockerd starts (--bip cannot be combined with
  # --bridge).
  if ! ip -4 addr show dev "$br" | grep -qF " ${cidr} "; then
    ip addr add "$cidr" dev "$br"
  fi
  ip link set "$br" up
}

# Remove runtime leftovers of a daemon that is not running (crash, reboot:
# /run survives a reboot here). A stale pidfile whose pid got reused makes
# dockerd refuse to start, and a stale containerd.pid makes it wait on a
# containerd that is not there.
clear_stale_runtime() {
  local name=$1 containerd_pidfile
  rm -f "$(engine_pidfile "$name")"
  # But if the engine's containerd outlived dockerd (after a SIGKILL it
  # usually dies too), it still owns the containers: keep its pidfile, and
  # the new dockerd adopts it instead of starting a second one on its socket.
  containerd_pidfile=$(engine_exec_root "$name")/containerd/containerd.pid
  if ! pid_from_file "$containerd_pidfile" containerd >/dev/null; then
    rm -f "$containerd_pidfile"
  fi
}

# Engines are started one after the other, never in parallel: both dockerds
# create the same iptables chains (DOCKER, DOCKER-ISOLATION-STAGE-1, ...) with
# a check-then-create, and two at once fail with "iptables -t nat -N DOCKER:
# Chain already exists".
declare -A LAUNCHED=()

launch_engine() {
  local name=$1 sock pidfile pid logfile
  sock=$(engine_sock "$name")
  pidfile=$(engine_pidfile "$name")
  logfile=$(engine_log "$name")

  if engine_ping "$name"; then
    log "up: engine $name (unix://$sock)"
    return
  fi
  if pid=$(pid_from_file "$pidfile" dockerd); then
    # Running but not answering yet: another run may have just started it.
    log "waiting: engine $name (pid $pid) to answer"
    LAUNCHED[$name]=$pid
    return
  fi

  clear_stale_runtime "$name"
  ensure_bridge "$name"
  mkdir -p "$(engine_data_root "$name")" "$(engine_exec_root "$name")" "$TB_LOG"
  # An empty config file of our own: without --config-file every dockerd
  # reads /etc/docker/daemon.json, and a system setting there (hosts, bridge,
  # data-root) would clash with the flags below or between the two engines.
  [[ -s $(engine_config "$name") ]] || echo '{}' >"$(engine_config "$name")"

  local args=(
    --config-file "$(engine_config "$name")"
    --data-root "$(engine_data_root "$name")"
    --exec-root "$(engine_exec_root "$name")"
    --pidfile "$pidfile"
    --host "unix://$sock"
    --bridge "$(engine_bridge "$name")"
    --ip "$(engine_host_ip "$name")"
    --default-address-pool "base=$(engine_addr_pool "$name"),size=24"
    # Without --containerd each dockerd starts its own managed containerd
    # under its exec-root (containerd/containerd.sock) and data-root, so the
    # two engines share nothing. BUT dockerd 20.10 uses the system containerd
    # instead whenever /run/containerd/containerd.sock exists; distinct
    # namespaces keep the two engines' containers apart even then.
    --containerd-namespace "dockhand-$name"
    --containerd-plugins-namespace "dockhand-$name-plugins"
  )
  if [[ $name == beta ]]; then
    args+=(
      --host "tcp://$BETA_TCP_HOST:$BETA_TCP_PORT"
      --tlsverify
      --tlscacert "$TB_CERTS/ca.pem"
      --tlscert "$TB_CERTS/server-cert.pem"
      --tlskey "$TB_CERTS/server-key.pem"
    )
  fi

  log "starting: engine $name (log $logfile)"
  printf '\n==== %s up.sh: dockerd %s\n' "$(date -Is)" "${args[*]}" >>"$logfile"
  # setsid: own session, so the daemon outlives this shell and is not killed
  # with the caller's process group (CI steps, terminal Ctrl-C).
  # 9>&-: do not hand the daemon our lock fd (see take_lock), or it would
  # hold the lock for as long as it runs and every later run would block.
  setsid dockerd "${args[@]}" </dev/null >>"$logfile" 2>&1 9>&- &
  pid=$!
  mark_started "engine-$name" "$pid"
  LAUNCHED[$name]=$pid
}

await_engine() {
  local name=$1 pid=${LAUNCHED[$1]:-}
  [[ -n $pid ]] || return 0
  local logfile
  logfile=$(engine_log "$name")
  wait_until 60 "engine $name" "$pid" "$logfile" engine_ping "$name"
  if [[ $name == beta ]]; then
    wait_until 10 "engine beta TLS endpoint" "$pid" "$logfile" beta_tls_ping
  fi
  NEEDS_SMOKE[$name]=1
  log "up: engine $name (unix://$(engine_sock "$name"), pid $pid)"
}

# ---------------------------------------------------------------------------
# 4. busybox:stable, offline. There is no registry to pull from, so the image
# is a tar of a root holding Debian's static busybox and one symlink per
# applet. On a user's machine the same Dockerfile pulls the real busybox.
# ---------------------------------------------------------------------------
BUSYBOX_TAR=""
build_busybox_tar() {
  [[ -n $BUSYBOX_TAR ]] && return
  local root
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,etc,root,home,var/www,dev,proc,sys} "$root/tmp"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  # Every applet this busybox has (sh, httpd, wget, nc, cat, sleep, ...), as
  # relative symlinks: busybox dispatches on argv[0]'s basename.
  local applet
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
  done
  # Real busybox images carry these; USER nobody and id need them.
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/home:/bin/false' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$root/etc/group"
  BUSYBOX_TAR=$(mktemp --suffix=.tar)
  tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$BUSYBOX_TAR" .
  rm -rf "$root"
}

seed_busybox() {
  local name=$1
  if image_present "$name" busybox:stable; then
    log "up: image busybox:stable on $name"
    return
  fi
  build_busybox_tar
  docker_on "$name" import -c 'CMD ["/bin/sh"]' -m 'dockhand test bed: offline busybox' \
    - busybox:stable <"$BUSYBOX_TAR" >/dev/null
  NEEDS_SMOKE[$name]=1
  log "up: image busybox:stable on $name (imported)"
}

# ---------------------------------------------------------------------------
# 5. Smoke test: what dockhand does on a host, once per engine after a start:
# build FROM busybox:stable, run it with a published port, fetch a page from
# the engine's own host address.
# ---------------------------------------------------------------------------
smoke_engine() {
  local name=$1 ctx img=dockhand-testbed-smoke:latest ctr=dockhand-testbed-smoke hostport body
  ctx=$(mktemp -d)
  cat >"$ctx/Dockerfile" <<EOF
FROM busybox:stable
RUN mkdir -p /www && echo "dockhand-testbed $name ok" > /www/index.html
CMD ["httpd","-f","-p","8080","-h","/www"]
EOF
  docker_on "$name" rm -f "$ctr" >/dev/null 2>&1 || true
  # The classic builder: the 20.10 CLI has no buildx here, and BuildKit would
  # try to resolve busybox:stable against a registry.
  DOCKER_BUILDKIT=0 docker_on "$name" build -q -t "$img" "$ctx" >/dev/null
  rm -rf "$ctx"
  # -p 8080 with no host IP: the port lands on the engine's --ip address.
  docker_on "$name" run -d --name "$ctr" -p 8080 "$img" >/dev/null
  hostport=$(docker_on "$name" port "$ctr" 8080/tcp | head -n1)
  [[ $hostport == "$(engine_host_ip "$name")":* ]] ||
    die "smoke $name: port published on '$hostport', expected $(engine_host_ip "$name"):PORT"
  local deadline=$((SECONDS + 10))
  until body=$(curl -sf --max-time 2 "http://$hostport/"); do
    ((SECONDS < deadline)) || {
      docker_on "$name" logs "$ctr" >&2 || true
      die "smoke $name: nothing served at http://$hostport/"
    }
    sleep 0.1
  done
  docker_on "$name" rm -f "$ctr" >/dev/null
  docker_on "$name" rmi "$img" >/dev/null
  [[ $body == "dockhand-testbed $name ok" ]] || die "smoke $name: unexpected body '$body'"
  log "ok: smoke $name (built FROM busybox:stable, served at http://$hostport/)"
}

# ---------------------------------------------------------------------------
# 6. Redis on 6399 (not 6379, to leave the default port to anything else).
# ---------------------------------------------------------------------------
start_redis() {
  if redis_ping; then
    log "up: redis (redis://127.0.0.1:$REDIS_PORT)"
    return
  fi
  local pid logfile=$TB_LOG/redis.log
  if pid=$(pid_from_file "$REDIS_PIDFILE" redis-server); then
    log "waiting: redis (pid $pid) to answer"
    wait_until 30 redis "$pid" "$logfile" redis_ping
    log "up: redis (redis://127.0.0.1:$REDIS_PORT)"
    return
  fi
  rm -f "$REDIS_PIDFILE"
  mkdir -p "$REDIS_DIR" "$TB_LOG"
  # Options on the command line rather than /etc/redis/redis.conf, so a
  # system redis config can neither change nor collide with this one.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --dir "$REDIS_DIR" --pidfile "$REDIS_PIDFILE" --logfile "$logfile" \
    --appendonly yes 9>&-
  # --daemonize forks; the pidfile appears once the child is running.
  wait_until 10 "redis pidfile" - "$logfile" pid_from_file "$REDIS_PIDFILE" redis-server >/dev/null
  pid=$(pid_from_file "$REDIS_PIDFILE" redis-server)
  mark_started redis "$pid"
  wait_until 30 redis "$pid" "$logfile" redis_ping
  log "up: redis (redis://127.0.0.1:$REDIS_PORT, pid $pid)"
}

# ---------------------------------------------------------------------------
# 7. The env file tests source.
# ---------------------------------------------------------------------------
write_env() {
  local content
  content=$(
    cat <<EOF
# dockhand test bed, written by scripts/testbed/up.sh. Source it: . $TB_ENV_FILE
export DOCKHAND_TESTBED_ALPHA=unix://$(engine_sock alpha)
export DOCKHAND_TESTBED_ALPHA_IP=$(engine_host_ip alpha)
export DOCKHAND_TESTBED_BETA=tcp://$BETA_TCP_HOST:$BETA_TCP_PORT
export DOCKHAND_TESTBED_BETA_CERTS=$TB_CERTS
export DOCKHAND_TESTBED_BETA_SOCKET=unix://$(engine_sock beta)
export DOCKHAND_TESTBED_BETA_IP=$(engine_host_ip beta)
export DOCKHAND_TESTBED_REDIS_URL=redis://127.0.0.1:$REDIS_PORT
EOF
  )
  # The lines other parts own (registry.sh, pebble.sh) stay, so a reader never sees them missing.
  local parts
  parts=$(grep -E '^export DOCKHAND_TESTBED_' "$TB_ENV_FILE" 2>/dev/null |
    grep -vE '^export DOCKHAND_TESTBED_(ALPHA|ALPHA_IP|BETA|BETA_CERTS|BETA_SOCKET|BETA_IP|REDIS_URL)=' || true)
  [[ -z $parts ]] || content=$(printf '%s\n%s' "$content" "$parts")
  # Rewrite only on change, so the file's mtime means something.
  if [[ ! -f $TB_ENV_FILE || $(cat "$TB_ENV_FILE") != "$content" ]]; then
    printf '%s\n' "$content" >"$TB_ENV_FILE.tmp"
    mv "$TB_ENV_FILE.tmp" "$TB_ENV_FILE"
  fi
  log "env: $TB_ENV_FILE"
  sed 's/^/  /; s/\(PASSWORD=\).*/\1.../' "$TB_ENV_FILE"
}

# ---------------------------------------------------------------------------
main() {
  install_packages
  take_lock
  mkdir -p "$TB_LIB" "$TB_RUN" "$TB_LOG"
  make_certs
  local name
  for name in "${ENGINES[@]}"; do
    launch_engine "$name"
    await_engine "$name"
  done
  for name in "${ENGINES[@]}"; do
    seed_busybox "$name"
  done
  [[ -n $BUSYBOX_TAR ]] && rm -f "$BUSYBOX_TAR"
  for name in "${ENGINES[@]}"; do
    if [[ -n ${NEEDS_SMOKE[$name]:-} || $FORCE_SMOKE == 1 ]]; then
      smoke_engine "$name"
    fi
  done
  start_redis
  write_env
  bash "$HERE/registry.sh" up
  bash "$HERE/pebble.sh" up
  bash "$HERE/sshd.sh" up
}

main
