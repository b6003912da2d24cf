/**
 * Server-sent events for the dashboard: one render shared by every open page.
 * While at least one page listens, the hub re-renders on every change the
 * deploy history announces (a step, a finished deploy, from any process) and
 * on a slow tick (containers that changed outside dockhand), and sends the
 * render only when it differs from the last one.
 */
import type { ServerResponse } from "node:http";

export const SSE_DEFAULTS = {
  /** Re-render this often even without an announced change. */
  intervalMs: 2_000,
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: 15_000,
  /** Changes within this window are rendered once. */
  debounceMs: 250,
} as const;

/** Why a render happens: an announced change wants fresh data; a tick or a new page may reuse recent data. */
export type RenderReason = "change" | "tick" | "connect";

export interface SseHubOptions {
  render: (reason: RenderReason) => Promise<string>;
  /** Announces changes; returns an unsubscribe function. */
  subscribe?: (onChange: () => void) => Promise<() => Promise<void>>;
  intervalMs?: number;
  heartbeatMs?: number;
  onError?: (err: Error) => void;
}

export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private last: string | undefined;
  private sequence = 0;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => Promise<void>) | undefined;
  private rendering: Promise<void> | undefined;
  private again = false;
  private debounce: NodeJS.Timeout | undefined;
  /** A change was announced and not rendered yet: the next render reads fresh data. */
  private changed = false;

  constructor(private readonly options: SseHubOptions) {}

  get listeners(): number {
    return this.clients.size;
  }

  /** Takes over a response: writes the event-stream head, the current render, and keeps it open. */
  add(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    this.clients.add(res);
    res.on("close", () => this.drop(res));
    if (this.clients.size === 1) this.start();
    if (this.last !== undefined) res.write(frame(this.last, this.sequence));
    this.refresh("connect");
  }

  /** Ends every stream (before the server closes, which would otherwise wait for them). */
  async close(): Promise<void> {
    for (const res of this.clients) res.end();
    this.clients.clear();
    await this.stop();
    await this.rendering;
  }

  /** Re-render now (debounced); cheap to call often. A change outranks a tick within one debounce. */
  refresh(reason: RenderReason = "change"): void {
    if (reason === "change") this.changed = true;
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      const why = this.changed ? "change" : reason;
      this.changed = false;
      void this.renderOnce(why);
    }, SSE_DEFAULTS.debounceMs);
  }

  private async renderOnce(reason: RenderReason): Promise<void> {
    if (this.rendering) {
      // Rendered again once the current render ends; a change is not lost meanwhile.
      this.again = true;
      if (reason === "change") this.changed = true;
      return this.rendering;
    }
    this.rendering = (async () => {
      try {
        const text = await this.options.render(reason);
        if (text !== this.last) {
          this.last = text;
          this.sequence += 1;
          for (const res of this.clients) res.write(frame(text, this.sequence));
        }
      } catch (err) {
        this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
      } finally {
        this.rendering = undefined;
        if (this.again && this.clients.size > 0) {
          this.again = false;
          this.refresh("tick");
        }
      }
    })();
    return this.rendering;
  }

  private start(): void {
    const interval = setInterval(() => this.refresh("tick"), this.options.intervalMs ?? SSE_DEFAULTS.intervalMs);
    const heartbeat = setInterval(() => {
      for (const res of this.clients) res.write(": keep-alive\n\n");
    }, this.options.heartbeatMs ?? SSE_DEFAULTS.heartbeatMs);
    this.timers = [interval, heartbeat];
    this.options
      .subscribe?.(() => this.refresh("change"))
      .then((unsubscribe) => {
        if (this.clients.size === 0) void unsubscribe();
        else this.unsubscribe = unsubscribe;
      })
      .catch((err: unknown) => this.options.onError?.(err instanceof Error ? err : new Error(String(err))));
  }

  private drop(res: ServerResponse): void {
    this.clients.delete(res);
    if (this.clients.size === 0) void this.stop();
  }

  private async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = undefined;
    // The last render is kept only while someone listens: a page opened later must see fresh data.
    this.last = undefined;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    await unsubscribe?.();
  }
}

/** One SSE event; each line of the payload becomes a `data:` line. */
export function frame(text: string, id: number): string {
  return `event: render\nid: ${id}\n${text
    .split("\n")
    .map((line) => `data: ${line}`)
    .join("\n")}\n\n`;
}
