/**
 * Listening and closing node:http / node:https servers, and the HTTP ─▶ HTTPS
 * redirect target, kept apart from the proxy's routing.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export function listenOn(server: Server, at: { host: string; port: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(at.port, at.host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stop accepting; idle keep-alive connections close now, busy ones when their response is done or after graceMs. */
export async function closeGracefully(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(cut);
}

/**
 * Where a plain-HTTP request is sent when HTTPS is required: same host (its
 * port replaced by the HTTPS port, left out when 443) and same path.
 */
export function httpsLocation(host: string, url: string, tlsPort: number): string {
  const bare = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!;
  return `https://${bare}${tlsPort === 443 ? "" : `:${tlsPort}`}${url}`;
}
