/**
 * Every default of the built-in proxy in one place (STYLE.md: "defaults are
 * named constants in one place"), so docs and code cannot drift apart.
 */

/** Seconds a client is told to wait (Retry-After) when an app has no active upstream. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Opening a TCP connection to an upstream; a container that does not accept within this is treated as refused. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** From the request being sent to the upstream's response headers (nginx's proxy_read_timeout is 60 s too). */
export const DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS = 60_000;

/** Longest silence between two chunks of an upstream's response body. */
export const DEFAULT_UPSTREAM_BODY_TIMEOUT_MS = 60_000;

/** Idle keep-alive connections to an upstream are closed after this (below common servers' 5 s). */
export const DEFAULT_UPSTREAM_KEEP_ALIVE_MS = 4_000;

/** Most connections the proxy opens to one upstream; further requests queue in the pool. */
export const DEFAULT_UPSTREAM_CONNECTIONS = 256;

/** Idle keep-alive connections from clients are closed after this. */
export const DEFAULT_CLIENT_KEEP_ALIVE_MS = 65_000;

/** A client must send its request headers within this. */
export const DEFAULT_CLIENT_HEADERS_TIMEOUT_MS = 60_000;

/** A client must send its whole request (headers and body) within this; 0 turns it off. */
export const DEFAULT_CLIENT_REQUEST_TIMEOUT_MS = 300_000;

/** Largest request body passed on; larger ones get 413. 0 means no limit. */
export const DEFAULT_MAX_BODY_BYTES = 0;

/** How long stop() lets in-flight requests finish before it cuts their connections. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

/** Consecutive failures (refused, reset, timeout) after which an upstream is ejected. 0 turns ejection off. */
export const DEFAULT_EJECT_AFTER_FAILURES = 5;

/** How long an ejected upstream gets no new requests before it is tried again. */
export const DEFAULT_EJECT_FOR_MS = 10_000;

/** How many different upstreams one request may be tried on when connections are refused. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** How long the nginx and Caddy drivers wait for a new route table to be served before they report a failure. */
export const DEFAULT_RELOAD_TIMEOUT_MS = 10_000;

/**
 * How long the nginx and Caddy drivers let a new route table wait for a newer one before reloading: a
 * rollout's "route in" and "route out" then cost one reload (each reload closes idle client connections).
 */
export const DEFAULT_RELOAD_SETTLE_MS = 50;

/**
 * How often Caddy looks up an app's upstreams again (SRV records dockhand serves): a new table reaches
 * Caddy within this, and the Caddy driver waits this long before it reports a table served.
 */
export const DEFAULT_CADDY_UPSTREAM_REFRESH_MS = 100;

/** Where a Caddy that dockhand runs serves its admin API: Caddy's own default. */
export const DEFAULT_CADDY_ADMIN = { host: "127.0.0.1", port: 2019 } as const;

/**
 * How long the built-in proxy waits after a change in a certificate's folder before it reads the files
 * again: a renewal writes the certificate and its key one after the other, and both should arrive first.
 */
export const DEFAULT_CERTIFICATE_SETTLE_MS = 200;
