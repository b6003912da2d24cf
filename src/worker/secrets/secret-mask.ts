/**
 * Secret values never leave the worker (docs/deploy-repo.md, on secrets): a
 * container or hook given a secret may print it, and its output travels on
 * as log tails, hook lines and error messages to check runs, the PR comment,
 * the dashboard, Redis and the log. A SecretMask replaces every value a sync
 * handed out, and the usual encodings of it, with `[secret NAME]` before any
 * of that leaves.
 */
import pino, { type Logger } from "pino";

/** Shorter values are left alone: masking `1` or `true` would hide every digit or word like it. */
export const MIN_MASKED_LENGTH = 6;

interface Needle {
  text: string;
  name: string;
}

interface Hit {
  start: number;
  end: number;
  names: Set<string>;
}

export class SecretMask {
  private readonly needles: Needle[];

  /** `values`: secret name ─▶ value, per app (ResolvedSecrets.values); every app's values are masked everywhere. */
  constructor(values: ReadonlyMap<string, Readonly<Record<string, string>>> | undefined) {
    const byText = new Map<string, string>();
    for (const app of values?.values() ?? []) {
      for (const [name, value] of Object.entries(app)) {
        if (value.length < MIN_MASKED_LENGTH) continue;
        for (const text of encodings(value))
          if (text.length >= MIN_MASKED_LENGTH && !byText.has(text)) byText.set(text, name);
      }
    }
    this.needles = [...byText].map(([text, name]) => ({ text, name }));
  }

  /** True when no value is long enough to mask: every method then hands back what it got. */
  get empty(): boolean {
    return this.needles.length === 0;
  }

  /** `text` with every occurrence of a value replaced; overlapping or adjacent values become one mark. */
  text(text: string): string {
    if (this.empty) return text;
    const hits = merge(this.find(text));
    if (hits.length === 0) return text;
    let out = "";
    let at = 0;
    for (const hit of hits) {
      out += `${text.slice(at, hit.start)}${label(hit.names)}`;
      at = hit.end;
    }
    return out + text.slice(at);
  }

  /** A copy of a JSON-like value (an outcome, a log object) with every string in it masked. */
  value<T>(value: T): T {
    if (this.empty) return value;
    return this.copy(value, new Map()) as T;
  }

  /** A child logger whose every line (fields and message) is masked; the logger itself when there is nothing to mask. */
  logger(log: Logger): Logger {
    if (this.empty) return log;
    const own = (log as unknown as Record<symbol, { log?: (o: object) => object } | undefined>)[
      pino.symbols.formattersSym
    ]?.log;
    const messageKey = (log as unknown as Record<symbol, string | undefined>)[pino.symbols.messageKeySym] ?? "msg";
    return log.child(
      {},
      {
        formatters: { log: (fields) => this.value(own ? own(fields) : fields) },
        serializers: { [messageKey]: (msg: unknown) => (typeof msg === "string" ? this.text(msg) : msg) },
      },
    );
  }

  /**
   * Masks a thrown error in place (message, stack and its other string
   * fields): it is rethrown to the queue, which logs it and keeps its message
   * and stack in Redis, and it must keep its class and code on the way.
   */
  thrown(err: unknown): void {
    if (this.empty || !(err instanceof Error)) return;
    const fields = err as unknown as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(err)) {
      const field = fields[key];
      if (typeof field === "string") fields[key] = this.text(field);
    }
  }

  private find(text: string): Hit[] {
    const hits: Hit[] = [];
    for (const { text: needle, name } of this.needles) {
      for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
        hits.push({ start: at, end: at + needle.length, names: new Set([name]) });
      }
    }
    return hits;
  }

  private copy(value: unknown, seen: Map<object, unknown>): unknown {
    if (typeof value === "string") return this.text(value);
    if (typeof value !== "object" || value === null) return value;
    const done = seen.get(value);
    if (done !== undefined) return done;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const item of value) out.push(this.copy(item, seen));
      return out;
    }
    const proto = Object.getPrototypeOf(value) as object | null;
    // Errors keep their class (pino's err serializer reads it); other class instances (Buffer, Date) are no text.
    if (proto !== Object.prototype && proto !== null && !(value instanceof Error)) return value;
    const out = Object.create(proto) as Record<string, unknown>;
    seen.set(value, out);
    for (const key of Object.getOwnPropertyNames(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
      if ("value" in descriptor) descriptor.value = this.copy(descriptor.value, seen);
      Object.defineProperty(out, key, descriptor);
    }
    return out;
  }
}

/**
 * The value as it may be printed: as is, URL-encoded, and in base64 and
 * base64url. Base64 inside a longer encoded text depends on where the value
 * falls in a 3-byte group, so for each of the three offsets the characters
 * that encode the value alone are masked too (a character at either edge,
 * shared with the neighbours, stays).
 */
function encodings(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const base64 = [bytes.toString("base64")];
  for (let offset = 0; offset < 3; offset++) {
    const shifted = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    base64.push(shifted.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6)));
  }
  const base64url = base64.map((b) => b.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
  return [value, encodeURIComponent(value), ...base64, ...base64url];
}

/**
 * Sorted by start, overlapping or touching hits joined. A hit inside another
 * (a value that is part of a longer one) adds no name: the text is the longer one.
 */
function merge(hits: Hit[]): Hit[] {
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Hit[] = [];
  for (const hit of hits) {
    const last = merged.at(-1);
    if (!last || hit.start > last.end) merged.push(hit);
    else if (hit.end > last.end) {
      last.end = hit.end;
      for (const name of hit.names) last.names.add(name);
    }
  }
  return merged;
}

function label(names: Set<string>): string {
  const sorted = [...names].sort();
  return sorted.length === 1 ? `[secret ${sorted[0]}]` : `[secrets ${sorted.join(", ")}]`;
}
