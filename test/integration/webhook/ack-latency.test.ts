/**
 * Ack latency of the receiver: 1,000 signed push deliveries (each a new
 * X-GitHub-Delivery), over inject() and over a real port with keep-alive.
 * Prints p50/p99; asserts only that every delivery was queued.
 */
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import { describe, expect, it } from "vitest";
import { pushToMaster } from "../../support/github-examples.js";
import { githubHeaders, webhookApp } from "../../unit/webhook/webhook-app.js";

const COUNT = 1000;
const WARMUP = 100;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function report(label: string, ms: number[]): void {
  const sorted = [...ms].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(3);
  console.log(
    `[bench] webhook ack ${label}: n=${ms.length} p50=${f(percentile(sorted, 50))}ms p99=${f(percentile(sorted, 99))}ms max=${f(sorted.at(-1)!)}ms`,
  );
}

async function measure(send: (i: number) => Promise<number>): Promise<{ ms: number[]; codes: number[] }> {
  for (let i = 0; i < WARMUP; i++) await send(-1 - i);
  const ms: number[] = [];
  const codes: number[] = [];
  for (let i = 0; i < COUNT; i++) {
    const start = performance.now();
    codes.push(await send(i));
    ms.push(performance.now() - start);
  }
  return { ms, codes };
}

describe("webhook ack latency", () => {
  const body = JSON.stringify(pushToMaster());

  it(`acks ${COUNT} signed pushes through inject()`, async () => {
    const t = await webhookApp();
    const { ms, codes } = await measure(async (i) => {
      const res = await t.app.inject({
        method: "POST",
        url: "/webhooks/github",
        headers: githubHeaders("push", `inject-${i}`, body),
        payload: body,
      });
      return res.statusCode;
    });
    report(`inject (${body.length} B push)`, ms);
    expect(codes.every((c) => c === 202)).toBe(true);
    expect(t.queued).toHaveLength(COUNT + WARMUP);
    await t.app.close();
  });

  it(`acks ${COUNT} signed pushes over a real port`, async () => {
    const t = await webhookApp();
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/webhooks/github`;
    const dispatcher = new Agent({ connections: 1 });
    const { ms, codes } = await measure(async (i) => {
      const res = await request(url, {
        method: "POST",
        headers: githubHeaders("push", `port-${i}`, body),
        body,
        dispatcher,
      });
      await res.body.dump();
      return res.statusCode;
    });
    report(`real port, keep-alive (${body.length} B push)`, ms);
    expect(codes.every((c) => c === 202)).toBe(true);
    expect(t.queued).toHaveLength(COUNT + WARMUP);
    await dispatcher.close();
    await t.app.close();
  });
});
