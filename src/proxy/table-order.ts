/**
 * Which of two route tables is newer. Versions count up within one epoch, a
 * random id the route store sets when it creates the table; a wiped Redis
 * starts a new epoch and counts from 1 again, and a proxy that compared
 * versions alone would ignore every table after that (issue 5).
 */

export interface TableStamp {
  /** Absent in tables built by hand (tests, the planner's simulation): then versions alone decide. */
  epoch?: string;
  version: number;
}

function otherEpoch(a: TableStamp, b: TableStamp): boolean {
  return a.epoch !== undefined && b.epoch !== undefined && a.epoch !== b.epoch;
}

/** `next` may replace `served`: it is from another epoch, or not older. */
export function mayReplace(next: TableStamp, served: TableStamp): boolean {
  return otherEpoch(next, served) || next.version >= served.version;
}

/** `next` is news compared with `seen`: another epoch, or a higher version. */
export function isNewer(next: TableStamp, seen: TableStamp): boolean {
  return otherEpoch(next, seen) || next.version > seen.version;
}
