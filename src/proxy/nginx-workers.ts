/**
 * nginx's worker processes, seen through /proc. After a reload the master
 * starts new workers before it tells the old ones to quit; until an old worker
 * has stopped accepting, a new connection can still land on the old routes.
 * The driver waits for that moment rather than trusting one probe.
 */
import { readFile } from "node:fs/promises";

/** Children of the master process; empty where /proc cannot tell (the wait then relies on the version probe). */
export async function nginxWorkers(masterPid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${masterPid}/task/${masterPid}/children`, "utf8");
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Gone, or titled "worker process is shutting down" (set just before it closes its listening sockets). */
async function stoppedAccepting(pid: number): Promise<boolean> {
  try {
    const title = await readFile(`/proc/${pid}/cmdline`, "utf8");
    return title.includes("shutting down");
  } catch {
    return true;
  }
}

export async function waitForOldWorkers(pids: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(pids.map(stoppedAccepting));
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`old nginx workers ${pids.join(", ")} still accept connections`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
