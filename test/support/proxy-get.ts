import { request } from "undici";

/** GET through a proxy with a Host header, as a browser would for that hostname. */
export async function proxyGet(port: number, host: string, path = "/"): Promise<{ status: number; body: string }> {
  // Bounded: a test waits on a proxy that may not be listening yet; it must fail fast, not hang.
  const response = await request(`http://127.0.0.1:${port}${path}`, {
    headers: { host },
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
  });
  return { status: response.statusCode, body: await response.body.text() };
}
