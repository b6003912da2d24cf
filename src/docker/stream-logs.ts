/**
 * A container's log as lines with the engine's timestamps (`dockhand logs`),
 * either what is there now or followed until the container stops. The engine
 * prefixes each line with an RFC 3339 time when asked (`timestamps: true`), so
 * lines of many containers on many hosts can be merged in the order written.
 */
import { PassThrough, type Readable, Writable } from "node:stream";
import type { LogLine, LogStreamOptions } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { inspectContainer } from "./container-ops.js";
import { engineError } from "./engine-error.js";

type Stream = LogLine["stream"];

/** `2024-05-01T10:00:00.123456789Z text` ─▶ time (ms) and text; a line without one keeps `fallback`. */
function parseLogLine(raw: string, stream: Stream, fallback: number): LogLine {
  const space = raw.indexOf(" ");
  const time = space > 0 ? Date.parse(raw.slice(0, space)) : Number.NaN;
  if (Number.isNaN(time)) return { stream, text: raw, time: fallback };
  return { stream, text: raw.slice(space + 1), time };
}

/** Splits written chunks into lines; a partial last line waits for the rest (or the end). */
function lineWriter(stream: Stream, onLine: (line: LogLine) => void): Writable {
  let pending = "";
  const emit = (raw: string) => onLine(parseLogLine(raw.replace(/\r$/, ""), stream, Date.now()));
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop() ?? "";
      for (const raw of lines) emit(raw);
      done();
    },
    final(done) {
      if (pending !== "") emit(pending);
      pending = "";
      done();
    },
  });
}

function finished(writable: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (writable.writableFinished) resolve();
    else writable.once("finish", () => resolve());
  });
}

/** Feeds the engine's (multiplexed unless `tty`) log body to `onLine`; resolves when both streams ended. */
async function pump(engine: Engine, source: Readable, tty: boolean, onLine: (line: LogLine) => void): Promise<void> {
  const stdout = lineWriter("stdout", onLine);
  const stderr = lineWriter("stderr", onLine);
  const ended = new Promise<void>((resolve) => {
    source.once("end", resolve);
    source.once("close", resolve);
    source.once("error", () => resolve());
  });
  if (tty) source.pipe(stdout, { end: false });
  else engine.docker.modem.demuxStream(source, stdout, stderr);
  await ended;
  stdout.end();
  stderr.end();
  await Promise.all([finished(stdout), finished(stderr)]);
}

export async function streamLogs(
  engine: Engine,
  id: string,
  options: LogStreamOptions,
  onLine: (line: LogLine) => void,
): Promise<void> {
  const action = `read logs of container ${id}`;
  const tty = (await inspectContainer(engine, id)).Config.Tty;
  const query = {
    stdout: true,
    stderr: true,
    timestamps: true,
    ...(options.since === undefined ? {} : { since: Math.floor(options.since / 1000) }),
    ...(options.tail === undefined ? {} : { tail: options.tail }),
    ...(options.signal ? { abortSignal: options.signal } : {}),
  };
  let body: unknown;
  try {
    body = options.follow
      ? await engine.docker.getContainer(id).logs({ ...query, follow: true })
      : await engine.docker.getContainer(id).logs({ ...query, follow: false });
  } catch (err) {
    if (options.signal?.aborted) return;
    throw engineError(engine, action, err);
  }
  const source = isReadable(body) ? body : bufferStream(body);
  const abort = () => source.destroy();
  options.signal?.addEventListener("abort", abort, { once: true });
  try {
    await pump(engine, source, tty, onLine);
  } finally {
    options.signal?.removeEventListener("abort", abort);
  }
}

function isReadable(body: unknown): body is Readable {
  return typeof body === "object" && body !== null && typeof (body as Readable).pipe === "function";
}

/** docker-modem answers a non-following request with a Buffer (or JSON, when the body happens to parse). */
function bufferStream(body: unknown): Readable {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body ?? ""));
  const stream = new PassThrough();
  stream.end(raw);
  return stream;
}
