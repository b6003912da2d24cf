/**
 * The njs module that lets nginx follow upstream changes without a reload
 * (issue 5, "Route changes drop nothing"). A reload makes nginx's old workers
 * close their idle keep-alive client connections, and a client that sends its
 * next request at that moment gets no answer. So the nginx config names only
 * hostnames and apps; each request reads the app's upstreams from a JSON file
 * dockhand replaces atomically (rename), and a rollout never reloads nginx.
 * njs 0.7 gives every request a fresh VM, so the file is read per request (a
 * page-cache read of a small file), and with no counter shared between
 * requests the upstream is picked at random (Caddy's default policy too).
 */

/** What the script reads: the version served and each app's active upstreams as host:port. */
export interface NginxRoutesFile {
  version: number;
  apps: Record<string, string[]>;
}

/** The njs module text; `routesFile` is the absolute path of the JSON file. */
export function nginxRoutesScript(routesFile: string): string {
  return `// Written by dockhand; edits are overwritten.
var fs = require("fs");
var FILE = ${JSON.stringify(routesFile)};

function table() {
  return JSON.parse(fs.readFileSync(FILE, "utf8"));
}

// The upstream for this request as host:port, or "" when the app has none (the config answers 503).
function upstream(r) {
  try {
    var list = table().apps[r.variables.dockhand_app];
    if (!list || list.length === 0) return "";
    return list[Math.floor(Math.random() * list.length)];
  } catch (e) {
    r.error("dockhand routes file unreadable: " + e.message);
    return "";
  }
}

// After nginx got no response from $upstream_addr: another upstream for an idempotent request, else "" (502).
// Refused connections are retried this way only for methods that are safe to send twice, as the built-in proxy does.
var IDEMPOTENT = { GET: true, HEAD: true, OPTIONS: true, PUT: true, DELETE: true };

function retry(r) {
  if (!IDEMPOTENT[r.method]) return "";
  try {
    // "host:port", or several joined by ", " and " : " (host:port has no spaces).
    var tried = String(r.variables.upstream_addr || "").split(/\\s*[,:]\\s+/);
    var list = (table().apps[r.variables.dockhand_app] || []).filter(function (u) {
      return tried.indexOf(u) < 0;
    });
    if (list.length === 0) return "";
    return list[Math.floor(Math.random() * list.length)];
  } catch (e) {
    r.error("dockhand routes file unreadable: " + e.message);
    return "";
  }
}

function version(r) {
  try {
    r.return(200, String(table().version));
  } catch (e) {
    r.return(500, "dockhand routes file unreadable: " + e.message);
  }
}

export default { upstream: upstream, retry: retry, version: version };
`;
}
