#!/usr/bin/env bash
# The demo: installs what is missing, starts two Docker engines (the hosts
# alpha and beta), serves deploy-repo-example from a local git remote with
# `dockhand serve`, waits for the first deploy and prints what to try.
#   npm run demo            bring it up (again: finds it up and says so)
#   npm run demo -- push    change web's page, push, send the signed webhook
#   npm run demo -- stop    stop dockhand and remove the demo's containers
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
demo="$root/.dockhand/demo"
remote="$demo/deploy.git"
work="$demo/work"
pidfile="$demo/serve.pid"
export DOCKHAND_REPO="$remote" DOCKHAND_GITHUB_REPO=demo/deploy DOCKHAND_WEBHOOK_SECRET=demo-secret \
  DOCKHAND_STATE_DIR="$demo/state" DOCKHAND_HTTP_PORT=3000 REDIS_URL=
git_() { git -C "$work" -c user.name=demo -c user.email=demo@localhost "$@"; }
serving() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "${1:-up}" in
stop)
  if serving; then kill "$(cat "$pidfile")"; while serving; do sleep 0.2; done; fi
  rm -f "$pidfile"
  for sock in unix:///run/dockhand-testbed/alpha.sock unix:///run/dockhand-testbed/beta.sock; do
    ids=$(DOCKER_HOST=$sock docker ps -aq --filter label=dockhand.managed=true --filter label=dockhand.instance=default)
    [ -z "$ids" ] || DOCKER_HOST=$sock docker rm -f $ids >/dev/null
    vols=$(DOCKER_HOST=$sock docker volume ls -q --filter label=dockhand.managed=true --filter label=dockhand.instance=default)
    [ -z "$vols" ] || DOCKER_HOST=$sock docker volume rm $vols >/dev/null
  done
  echo "demo stopped"
  exit 0
  ;;
push)
  serving || { echo "the demo is not running: npm run demo" >&2; exit 1; }
  text="<h1>Hello from web, pushed at $(date +%T)</h1>"
  echo "$text" > "$work/services/web/www/index.html"
  git_ commit -qam "web: new page text" && git_ push -q origin main
  sha=$(git_ rev-parse HEAD)
  body=$(printf '{"ref":"refs/heads/main","after":"%s","repository":{"full_name":"demo/deploy"}}' "$sha")
  sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac demo-secret -r | cut -d' ' -f1)
  curl -sS -X POST localhost:3000/webhooks/github -H 'content-type: application/json' -H 'x-github-event: push' \
    -H "x-github-delivery: demo-$sha" -H "x-hub-signature-256: sha256=$sig" --data "$body"; echo
  echo "pushed $sha; watch it roll: curl -s -H 'Host: web.localhost' 127.0.0.1:8080"
  exit 0
  ;;
up) ;;
*) echo "usage: npm run demo [-- push|stop]" >&2; exit 2 ;;
esac

bash scripts/ensure-deps.sh
bash scripts/testbed/up.sh > /dev/null
mkdir -p "$demo"
# The dashboard is off without an admin token: the demo makes one (kept for
# later runs) and, with no HTTPS here, lets the session cookie travel over HTTP.
token_file="$demo/admin-token"
new_token=
if [ ! -s "$token_file" ]; then
  (umask 077 && openssl rand -hex 16 > "$token_file")
  new_token=1
fi
DOCKHAND_ADMIN_TOKEN=$(cat "$token_file")
export DOCKHAND_ADMIN_TOKEN DOCKHAND_INSECURE_COOKIES=1
if [ ! -d "$remote" ]; then
  git init -q --bare --initial-branch=main "$remote"
  rm -rf "$work" && cp -r deploy-repo-example "$work"
  git -C "$work" init -q --initial-branch=main
  git_ add -A && git_ commit -qm "deploy repo from deploy-repo-example" && git_ remote add origin "$remote" && git_ push -q origin main
fi
if serving; then
  echo "dockhand is already serving the demo (pid $(cat "$pidfile"))"
  [ -z "$new_token" ] || echo "it started without the dashboard's token: npm run demo -- stop, then npm run demo, to log in"
else
  nohup node bin/dockhand.js serve > "$demo/serve.log" 2>&1 &
  echo $! > "$pidfile"
  echo "dockhand serve started (pid $!, log $demo/serve.log); deploying web (3 replicas), api (2), kv (on beta) and worker..."
fi
for _ in $(seq 1 600); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: web.localhost' 127.0.0.1:8080)" = 200 ] &&
     [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: api.localhost' 127.0.0.1:8080)" = 200 ]; then
    cat <<EOT

The demo is up. Try:
  curl -H 'Host: web.localhost' 127.0.0.1:8080      # round robin over 3 replicas on alpha and beta
  curl -H 'Host: api.localhost' 127.0.0.1:8080
  curl 172.31.0.1:7070/cgi-bin/count                  # kv's count, which the worker raises every second
  http://127.0.0.1:3000/login                          # the dashboard; admin token: $DOCKHAND_ADMIN_TOKEN
  node bin/dockhand.js observe --repo $remote        # what runs where
  node bin/dockhand.js plan --repo $remote           # nothing to do
  npm run demo -- push                               # push a change and send the signed webhook
  npm run demo -- stop
EOT
    exit 0
  fi
  serving || break
  sleep 0.2
done
echo "the demo did not come up; the last lines of $demo/serve.log:" >&2
tail -n 30 "$demo/serve.log" >&2
exit 1
