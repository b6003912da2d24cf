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
} as const;
