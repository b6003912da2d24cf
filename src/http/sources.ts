/**
 * What the HTTP routes read, as small interfaces: the composition root
 * (src/main.ts) implements them over Redis, the Docker engines and the proxy,
 * so this module imports only src/model.
 */
import type { DeployStats } from "../model/index.js";
import type { StatusSnapshot } from "./status-types.js";

export interface StatusSource {
  /** `maxAgeMs`: how old the observed containers may be (observing every host per request would be wasteful). */
  snapshot(options?: { maxAgeMs?: number }): Promise<StatusSnapshot>;
  /** Announces that something changed (a deploy step, a finished deploy). Returns an unsubscribe function. */
  subscribe?(onChange: () => void): Promise<() => Promise<void>>;
}

/** The newest commit the receiver heard of for an environment (a push), and when. */
export interface SeenCommit {
  env: string;
  sha: string;
  /** Epoch ms. */
  seenAt: number;
}

/** Requests the built-in proxy answered, by app and status code, since this process started. */
export interface ProxyTraffic {
  requests: Array<{ env: string; app: string; code: number; count: number }>;
  /** Requests that failed upstream (502, 503 with no upstream, 504). */
  upstreamErrors: Array<{ env: string; app: string; count: number }>;
}

export interface MetricsSource {
  /** Undefined when the deploy history (Redis) cannot be read. */
  deployStats(): Promise<DeployStats | undefined>;
  seenCommits(): Promise<SeenCommit[]>;
  /** Absent when this process runs no built-in proxy. */
  proxyTraffic?(): ProxyTraffic;
}
