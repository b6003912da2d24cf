/**
 * Reads the deploy repo's YAML in a worker thread. The YAML comes from
 * whoever pushed or opened a pull request; however long it takes to read, the
 * main event loop (webhooks, the built-in proxy, the dashboard) keeps serving.
 * A read that runs past the time limit is stopped by terminating the thread,
 * and becomes a config error, like any other deploy repo that cannot be read.
 *
 * One thread is kept warm and reused (starting one costs more than most
 * parses); a terminated one is replaced on the next request. The time limit
 * counts from when a started thread gets the request.
 */
import { Worker } from "node:worker_threads";
import { formatBytes, utf8Length } from "../../config/index.js";
import {
  ConfigError,
  type ConfigIssue,
  type DesiredState,
  type RepoSnapshot,
  type SourceRef,
} from "../../model/index.js";

export const PARSE_THREAD_DEFAULTS = {
  /** A parse within the YAML limits takes seconds at most; past this something is wrong with the input. */
  timeoutMs: 30_000,
  /** The thread's heap: a runaway ends the thread, not the process. */
  maxHeapMb: 1024,
} as const;

export interface ParseThreadOptions {
  timeoutMs?: number;
  maxHeapMb?: number;
}

export type ParseRequest = { id: number; task: "parse" | "sources"; snapshot: RepoSnapshot };

export type ParseReply = {
  id: number;
  desired?: DesiredState;
  sources?: SourceRef[];
  issues?: ConfigIssue[];
  /** A bug, not the config's fault: its stack. */
  error?: string;
};

/** What the thread says once it has loaded the parser. */
export const PARSE_THREAD_READY = "ready";

/** What came back, or why nothing did. */
type Ending = ParseReply | { stopped: string };

export class ParseThread {
  private thread: Promise<Worker> | undefined;
  private current: Worker | undefined;
  private nextId = 1;
  /** One request at a time: a request waits for the one before it. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timeoutMs: number;
  private readonly maxHeapMb: number;

  constructor(options: ParseThreadOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? PARSE_THREAD_DEFAULTS.timeoutMs;
    this.maxHeapMb = options.maxHeapMb ?? PARSE_THREAD_DEFAULTS.maxHeapMb;
  }

  /** parseDeployRepo in the thread: the desired state, or a ConfigError. */
  async parse(snapshot: RepoSnapshot): Promise<DesiredState> {
    const ending = await this.request("parse", snapshot);
    if ("stopped" in ending) throw new ConfigError([stoppedIssue(snapshot, ending.stopped)]);
    if (ending.issues) throw new ConfigError(ending.issues);
    if (!ending.desired) throw new Error(`parsing the deploy repo failed: ${ending.error}`);
    return ending.desired;
  }

  /** listSources in the thread; nothing when it cannot finish (the parse that follows says why). */
  async listSources(snapshot: RepoSnapshot): Promise<SourceRef[]> {
    const ending = await this.request("sources", snapshot);
    return ("sources" in ending ? ending.sources : undefined) ?? [];
  }

  async close(): Promise<void> {
    const worker = this.current;
    this.current = undefined;
    this.thread = undefined;
    await worker?.terminate();
  }

  private request(task: ParseRequest["task"], snapshot: RepoSnapshot): Promise<Ending> {
    const run = this.queue.then(() => this.send({ id: this.nextId++, task, snapshot }));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async send(request: ParseRequest): Promise<Ending> {
    let worker: Worker;
    try {
      worker = await this.ready();
    } catch (err) {
      return { id: request.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    // Referenced only while it works: an idle thread never keeps the process alive.
    worker.ref();
    return new Promise<Ending>((resolve) => {
      const finish = (ending: Ending) => {
        clearTimeout(timer);
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        worker.unref();
        resolve(ending);
      };
      const stop = (why: string) => {
        this.discard(worker);
        finish({ stopped: why });
      };
      const onMessage = (reply: ParseReply) => {
        if (reply.id === request.id) finish(reply);
      };
      const onError = (err: Error & { code?: string }) => {
        if (err.code === "ERR_WORKER_OUT_OF_MEMORY") return stop(`needed more than ${this.maxHeapMb} MB of memory`);
        this.discard(worker);
        finish({ id: request.id, error: err.stack ?? err.message });
      };
      const onExit = (code: number) => stop(`ended the parse thread (exit code ${code})`);
      const timer = setTimeout(() => stop(`took longer than ${formatSeconds(this.timeoutMs)}`), this.timeoutMs);
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
      worker.postMessage(request);
    });
  }

  /** The warm thread, or a new one once it has loaded the parser: starting does not count against a parse's time. */
  private ready(): Promise<Worker> {
    this.thread ??= boot(this.maxHeapMb).then(
      (worker) => {
        this.current = worker;
        return worker;
      },
      (err: unknown) => {
        this.thread = undefined;
        throw err;
      },
    );
    return this.thread;
  }

  private discard(worker: Worker): void {
    if (this.current === worker) {
      this.current = undefined;
      this.thread = undefined;
    }
    void worker.terminate();
  }
}

/** A new thread, resolved once it says it has loaded the parser. */
function boot(maxHeapMb: number): Promise<Worker> {
  const worker = threadFor(new URL("./parse-thread.js", import.meta.url), maxHeapMb);
  return new Promise<Worker>((resolve, reject) => {
    const done = () => worker.off("message", onMessage).off("error", onError).off("exit", onExit);
    const onMessage = (message: unknown) => {
      if (message !== PARSE_THREAD_READY) return;
      done();
      worker.unref();
      resolve(worker);
    };
    const onError = (err: Error) => {
      done();
      void worker.terminate();
      reject(err);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`the parse thread exited (code ${code}) while starting`));
    };
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
  });
}

/**
 * Compiled, the thread runs dist/worker/sync/parse-thread.js. From source (vitest,
 * or bin/dockhand.js without a build) this module is a .ts file, and the
 * thread registers tsx itself first: loader hooks of the main thread do not
 * reach a worker thread.
 */
function threadFor(entry: URL, maxHeapMb: number): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } };
  if (!import.meta.url.endsWith(".ts")) return new Worker(entry, options);
  const tsx = import.meta.resolve("tsx/esm/api");
  const source = entry.href.replace(/\.js$/, ".ts");
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The largest files are the likely cause: the issue points at the largest and names the next ones. */
function stoppedIssue(snapshot: RepoSnapshot, why: string): ConfigIssue {
  const bySize = Object.entries(snapshot.files)
    .map(([path, text]) => ({ path, size: utf8Length(text) }))
    .sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  const named = bySize.slice(0, 3).map((f) => `${f.path} (${formatBytes(f.size)})`);
  const more = bySize.length > 3 ? ` and ${bySize.length - 3} more` : "";
  const message = `reading the deploy repo's YAML ${why} and was stopped; its largest files: ${named.join(", ")}${more}`;
  return { file: bySize[0]?.path ?? "dockhand.yaml", line: 1, column: 1, path: "", message };
}

let shared: ParseThread | undefined;

/** The process's parse thread, started on first use. */
function sharedThread(): ParseThread {
  shared ??= new ParseThread();
  return shared;
}

/** parseDeployRepo off the main thread: the desired state, or a ConfigError. */
export function parseInThread(snapshot: RepoSnapshot): Promise<DesiredState> {
  return sharedThread().parse(snapshot);
}

/** listSources off the main thread; never throws on what the YAML says. */
export function listSourcesInThread(snapshot: RepoSnapshot): Promise<SourceRef[]> {
  return sharedThread().listSources(snapshot);
}
