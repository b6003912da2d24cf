/** Small builders for route tables in proxy tests. */
import type { AppRoute, Upstream, UpstreamState } from "../../../src/model/index.js";

export function upstream(
  container: string,
  port: number,
  state: UpstreamState = "active",
  address = "127.0.0.1",
): Upstream {
  return { host: "alpha", address, port, container, state };
}

export function route(app: string, hostnames: string[], upstreams: Upstream[] = [], env = "production"): AppRoute {
  return { app, env, hostnames, upstreams };
}
