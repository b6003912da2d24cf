/**
 * Where dashboard sessions live. The composition root implements it over
 * Redis (src/runtime/redis-session-store.ts), so sessions survive a restart,
 * expire on their own and can be revoked; this module imports only src/model.
 */

export interface AdminSession {
  /** Sent back in X-CSRF-Token (or the logout form's `csrf` field) by every request that changes state. */
  csrf: string;
  /** A digest of the admin token the session was made with: a new token ends older sessions. */
  tokenDigest: string;
  /** Epoch ms. */
  createdAt: number;
}

export interface SessionStore {
  /** Keeps `session` under `key` for `ttlMs`, then forgets it. */
  save(key: string, session: AdminSession, ttlMs: number): Promise<void>;
  /** Undefined once expired or removed. */
  load(key: string): Promise<AdminSession | undefined>;
  remove(key: string): Promise<void>;
}
