import { request } from "undici";

/** GET through a proxy with a Host header, as a browser would for that hostname. */
export async function proxyGet(port: number, host: string, path = "/"): Promise<{ status: number; body: string }> {
  const response = await request(`http://127.0.0.1:${port}${path}`, { headers: { host } });
  return { status: response.statusCode, body: await response.body.text() };
}
