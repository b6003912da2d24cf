# A worker: no port, nothing routed to it. Once a second it counts a visit on
# kv, which it finds at KV_HOST:KV_PORT (apps/worker.yaml references kv).
trap 'exit 0' TERM
while true; do
  printf 'GET /cgi-bin/incr HTTP/1.0\r\n\r\n' | nc "$KV_HOST" "$KV_PORT" > /dev/null 2>&1
  sleep 1
done
