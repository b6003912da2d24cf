/**
 * Continuous load for rollout tests: a few clients, each sending GETs one
 * after another through the proxy with keep-alive, until stopped. Bounded in
 * count and time so a stuck rollout cannot make it run forever.
 */
import { Agent, request } from "undici";

export interface LoadResult {
  requests: number;
  /** Status code ─▶ count. */
  statuses: Record<number, number>;
  /** Requests that got no HTTP answer, by error code. */
  errors: Record<string, number>;
  /** Response bodies seen (trimmed), each once. */
  bodies: Set<string>;
}

export interface Load {
  stop(): Promise<LoadResult>;
}

export function startLoad(
  port: number,
  host: string,
  options: { clients?: number; maxRequests?: number; maxMs?: number } = {},
): Load {
  const { clients = 4, maxRequests = 400_000, maxMs = 180_000 } = options;
  const agent = new Agent({ connections: clients, keepAliveTimeout: 10_000 });
  const result: LoadResult = { requests: 0, statuses: {}, errors: {}, bodies: new Set() };
  const until = Date.now() + maxMs;
  let stopped = false;
  const client = async () => {
    while (!stopped && result.requests < maxRequests && Date.now() < until) {
      result.requests++;
      try {
        const res = await request(`http://127.0.0.1:${port}/`, {
          headers: { host },
          dispatcher: agent,
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        const body = (await res.body.text()).trim();
        result.statuses[res.statusCode] = (result.statuses[res.statusCode] ?? 0) + 1;
        result.bodies.add(res.statusCode === 200 ? body : `${res.statusCode} ${body}`);
      } catch (err) {
        const code = (err as { code?: string }).code ?? (err as Error).message;
        result.errors[code] = (result.errors[code] ?? 0) + 1;
      }
    }
  };
  const running = Promise.all(Array.from({ length: clients }, client));
  return {
    async stop() {
      stopped = true;
      await running;
      await agent.close();
      return result;
    },
  };
}
