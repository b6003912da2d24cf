/** Defaults of the Docker adapter, in one place. */
export const DOCKER_DEFAULTS = {
  /** Longest wait for a short API call (list, inspect, create, start): a host slower than this is unreachable. */
  requestTimeoutMs: 30_000,
  /** Longest wait for observing one host, so one dead host never stalls a plan. */
  observeTimeoutMs: 10_000,
  /** How often waitHealthy looks at a starting container. */
  healthPollMs: 100,
  /** Shortest timeout of a health probe, even when the deadline is nearer. */
  minProbeMs: 250,
  /** How long a TCP health probe's connection must stay open to count (see probe-endpoint.ts). */
  tcpSettleMs: 150,
  /** Log lines kept for a failed build's error message. */
  buildTailLines: 20,
  /** Log lines attached to a health failure. */
  healthLogLines: 50,
  /** dockhand's own probe results kept for a health failure's health log. */
  healthLogEntries: 10,
  /** Seconds a container gets between SIGTERM and SIGKILL on stop. */
  stopTimeoutSeconds: 10,
  /** `dockhand hosts check`: longest check of one host (`--timeout`); the hosts are checked in parallel. */
  hostCheckTimeoutMs: 10_000,
  /** The image of the address and disk checks' containers: it needs sh, httpd and df. */
  hostCheckImage: "busybox:stable",
  /** Oldest Engine API dockhand uses (Docker Engine 20.10). */
  minApiVersion: "1.41",
  /** Beyond this, engine timestamps (logs --since, merged log order, container age) mislead. */
  maxClockSkewMs: 2_000,
  /** Less free space than this on the data root fails the check: a build and a pull need room. */
  minFreeDiskBytes: 2 * 1024 ** 3,
  /** Less free than this share of the data root's filesystem is a warning. */
  lowFreeDiskRatio: 0.1,
  /** How long the address check retries while the check container's server starts. */
  addressSettleMs: 2_000,
  /** A check container older than this was left by a check that died (SIGKILL) and is removed. */
  staleCheckMs: 10 * 60_000,
  /** Longest SSH handshake (TCP connect, host key, login) to an `ssh://` host. */
  sshReadyTimeoutMs: 15_000,
  /** SSH keepalives on an idle connection: one this often, the connection dropped after this many unanswered. */
  sshKeepaliveMs: 15_000,
  sshKeepaliveCountMax: 3,
  /** Wait before reconnecting after a failed SSH connect, doubling per failure up to the max. */
  sshBackoffMs: 250,
  sshBackoffMaxMs: 8_000,
} as const;
