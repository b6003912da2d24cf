/** Small formatters shared by the dashboard and `dockhand status`. */

/** `850 ms`, `4.2 s`, `3 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}

/** `2024-05-01 10:00:00Z`: absolute, so a re-render of the same data gives the same text. */
export function formatTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

export function shortSha(sha: string | undefined): string {
  if (!sha) return "-";
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha.slice(0, 12) : sha;
}

/** The last `lines` lines of a log tail. */
export function lastLines(text: string, lines: number): string {
  const all = text.replace(/\n+$/, "").split("\n");
  return all.slice(-lines).join("\n");
}
