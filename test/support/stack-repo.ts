/**
 * A whole application stack as a deploy repo, for the test bed: a database
 * (redis-server, built offline: redis-image.ts) pinned to beta on a fixed
 * host port with its data on a per-slot volume; a web app on both hosts that
 * answers with what the database holds; a worker with no port that writes to
 * it in a loop. The hosts' addresses are the engines' bridge gateways, which
 * containers on either engine reach (a loopback alias would not be).
 */
import type Docker from "dockerode";
import { testbed } from "./testbed.js";

export interface StackOptions {
  image: string;
  /** Where the database publishes, on beta's gateway. */
  dbPort: number;
  proxyPort: number;
  gateways: { alpha: string; beta: string };
  /** Changed to roll the database (it is an env var of its container). */
  generation?: number;
}

export const WEB_HOST = "web.stack.test";

/** The bridge network's gateway of an engine: an address of this machine that its containers reach. */
export async function bridgeGateway(engine: Docker): Promise<string> {
  const info = await engine.getNetwork("bridge").inspect();
  const gateway = (info as { IPAM?: { Config?: Array<{ Gateway?: string }> } }).IPAM?.Config?.[0]?.Gateway;
  if (!gateway) throw new Error("the engine's bridge network has no gateway");
  return gateway;
}

export function stackFiles(o: StackOptions): Record<string, string> {
  const bed = testbed();
  const certs = bed.betaCerts;
  return {
    "dockhand.yaml": [
      "hosts:",
      `  alpha: { docker: "${bed.alpha}", address: ${o.gateways.alpha} }`,
      "  beta:",
      `    docker: ${bed.beta}`,
      `    tls: { ca: ${certs}/ca.pem, cert: ${certs}/cert.pem, key: ${certs}/key.pem }`,
      `    address: ${o.gateways.beta}`,
      `proxy: { driver: builtin, listen: 127.0.0.1:${o.proxyPort} }`,
      "",
    ].join("\n"),
    "apps/db.yaml": [
      "name: db",
      `image: ${o.image}`,
      "port: 6379",
      `hostPort: ${o.dbPort}`,
      "placement: { hosts: [beta] }",
      "volumes: [{ name: data, target: /data }]",
      "command: [redis-server, --port, '6379', --dir, /data, --appendonly, 'yes', --protected-mode, 'no']",
      `env: { GENERATION: "${o.generation ?? 1}" }`,
      "health: { within: 30s, stable: 200ms }",
      "stopTimeout: 5s",
      "",
    ].join("\n"),
    "apps/web.yaml": [
      "name: web",
      `image: ${o.image}`,
      "replicas: 2",
      "port: 8080",
      `hostnames: [${WEB_HOST}]`,
      "env:",
      `  KV_HOST: \${apps.db.host}`,
      `  KV_PORT: \${apps.db.port}`,
      "health: { path: /healthz, within: 30s, stable: 200ms }",
      "rollout: { drain: 200ms }",
      "command: |",
      "  mkdir -p /www/cgi-bin && echo ok > /www/healthz",
      "  cat > /www/cgi-bin/count <<EOF",
      "  #!/bin/sh",
      "  printf 'Content-Type: text/plain\\r\\n\\r\\n'",
      "  redis-cli -h $KV_HOST -p $KV_PORT GET counter",
      "  EOF",
      "  chmod +x /www/cgi-bin/count",
      "  trap 'exit 0' TERM",
      "  httpd -f -p 8080 -h /www & wait",
      "",
    ].join("\n"),
    "apps/worker.yaml": [
      "name: worker",
      `image: ${o.image}`,
      `env: { KV: '\${apps.db.host} -p \${apps.db.port}' }`,
      "health: { stable: 500ms }",
      "command: trap 'exit 0' TERM; while true; do redis-cli -h $KV INCR counter > /dev/null 2>&1; sleep 0.2; done",
      "",
    ].join("\n"),
  };
}
