/**
 * Durations as people write them: "500ms", "2s", "1m", "1h", "1m30s".
 * Units appear at most once, largest first; no fractions, so "1.5s" is "1500ms".
 */
export const DURATION_PATTERN = "^(?=\\d)(?:\\d+h)?(?:\\d+m(?!s))?(?:\\d+s)?(?:\\d+ms)?$";

const DURATION_RE = new RegExp(DURATION_PATTERN);
const PART_RE = /(\d+)(ms|h|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART_RE)) {
    total += Number(amount) * (UNIT_MS[unit ?? ""] ?? 0);
  }
  return total;
}
