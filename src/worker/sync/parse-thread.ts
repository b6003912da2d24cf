/**
 * The parse thread's side of parse-in-thread.ts: reads the deploy repo's YAML
 * for one request at a time. It holds nothing between requests, so the main
 * thread may terminate it at any moment.
 */
import { parentPort } from "node:worker_threads";
import { listSources, parseDeployRepo } from "../../config/index.js";
import { ConfigError } from "../../model/index.js";
import { PARSE_THREAD_READY, type ParseReply, type ParseRequest } from "./parse-in-thread.js";

function answer(request: ParseRequest): ParseReply {
  try {
    if (request.task === "sources") return { id: request.id, sources: listSources(request.snapshot) };
    return { id: request.id, desired: parseDeployRepo(request.snapshot) };
  } catch (err) {
    if (err instanceof ConfigError) return { id: request.id, issues: err.issues };
    return { id: request.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

parentPort?.on("message", (request: ParseRequest) => parentPort?.postMessage(answer(request)));
// The parser's modules are loaded by now: requests from here on are timed against the parse alone.
parentPort?.postMessage(PARSE_THREAD_READY);
