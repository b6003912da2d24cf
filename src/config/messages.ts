/**
 * Wording shared by every check: say what was found and what would be right.
 */

/** How a value found in YAML reads in a message: strings quoted, containers by kind. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return Object.keys(value).length === 0 ? "an empty map" : "a map";
  return String(value);
}

/** Restricted Damerau-Levenshtein: a swapped pair of letters counts as one edit ("hsots" is one from "hosts"). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** The closest candidate when it is close enough to be a typo: about one edit per three letters. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(candidate.length / 3));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `; did you mean "x"?` or nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? "" : `; did you mean "${match}"?`;
}

export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const match = closestMatch(key, allowed);
  const list = allowed.join(", ");
  return match === undefined
    ? `unknown key; allowed here: ${list}`
    : `unknown key; did you mean "${match}"? Allowed here: ${list}`;
}

/** `app "web"`, and its environment when the repo has several. */
export function appLabel(name: string, env: string | undefined): string {
  return env ? `app "${name}" in ${env}` : `app "${name}"`;
}
