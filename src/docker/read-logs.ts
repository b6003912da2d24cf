/**
 * The last lines a container wrote, stdout and stderr interleaved in the order
 * the engine recorded them (lines written within a moment of each other on the
 * two streams may swap). Without a TTY the engine multiplexes both streams
 * with 8-byte frame headers.
 */
import { PassThrough, Writable } from "node:stream";
import type { Engine } from "./connect-engine.js";
import { inspectContainer } from "./container-ops.js";
import { engineCall } from "./engine-call.js";

/** Collects written chunks in order; stdout and stderr share one so their order survives. */
function collector(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
}

function demux(engine: Engine, raw: Buffer): string {
  const chunks: Buffer[] = [];
  const out = collector(chunks);
  const source = new PassThrough();
  engine.docker.modem.demuxStream(source, out, out);
  // demuxStream handles each 'data' event synchronously, so the chunks are complete after write().
  source.write(raw);
  source.end();
  return Buffer.concat(chunks).toString("utf8");
}

/** docker-modem hands back a Buffer, or parsed JSON when the whole body happens to be JSON. */
function asBuffer(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === "string") return Buffer.from(body);
  return Buffer.from(JSON.stringify(body ?? ""));
}

export async function readLogs(engine: Engine, id: string, lines: number, tty?: boolean): Promise<string> {
  const hasTty = tty ?? (await inspectContainer(engine, id)).Config.Tty;
  const body = await engineCall(engine, `read logs of container ${id}`, (abortSignal) =>
    engine.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false, abortSignal }),
  );
  const raw = asBuffer(body);
  return hasTty ? raw.toString("utf8") : demux(engine, raw);
}
