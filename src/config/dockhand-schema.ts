/**
 * dockhand.yaml: hosts, proxy, previews, registry, status branch (docs/deploy-repo.md).
 * Relations between keys (tls only with tcp://, socket only with ssh://) are checked in check-dockhand-file.ts.
 */
import { z } from "zod";
import { canonicalIp, PROXY_DRIVERS } from "../model/index.js";
import { DEFAULTS } from "./defaults.js";
import {
  bool,
  DNS_NAME_RE,
  duration,
  ENVIRONMENT_NAME_RE,
  expected,
  HOST_NAME_RE,
  isAddress,
  isBranchName,
  isDockerEndpoint,
  isIpAddress,
  isListenAddress,
  isRegistryAddress,
  isRepositoryPath,
  strictMap,
  stringMap,
  text,
  textMatching,
  wholeNumber,
} from "./fields.js";
import { closestMatch } from "./messages.js";

export const LABEL_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

export function labelsField() {
  return stringMap("a map of label: value", 'a label name like "zone"', LABEL_KEY_RE);
}

const tlsSchema = strictMap({
  ca: text("the path of the CA certificate").describe("CA certificate (PEM) that signed the engine's certificate."),
  cert: text("the path of the client certificate").describe("Client certificate (PEM)."),
  key: text("the path of the client key").describe("Client private key (PEM)."),
}).describe("Client TLS files for a tcp:// engine, as paths on the machine that runs dockhand.");

const hostSchema = strictMap({
  docker: textMatching(
    '"local", "unix:///path/to/docker.sock", "tcp://host:port" or "ssh://user@host[:port]"',
    isDockerEndpoint,
    /^(local|unix:\/\/\/\S+|tcp:\/\/\S+:\d{1,5}|ssh:\/\/[^\s:@/]+@\S+)$/,
  ).describe(
    "How to reach the engine: local (DOCKER_HOST or the default socket), unix:///path.sock, tcp://host:port, or ssh://user@host[:port] (one SSH connection, key login from dockhand's side, host key checked against known_hosts).",
  ),
  tls: tlsSchema.optional(),
  socket: text("an absolute path like /var/run/docker.sock", /^\/\S*$/)
    .optional()
    .describe("With docker: ssh://, the engine's socket on that machine; absent means /var/run/docker.sock."),
  address: textMatching('an IP address or host name like "10.0.0.12"', isAddress).describe(
    "Where this host's published container ports are reachable from the proxy.",
  ),
  bindAddress: textMatching('an IP address like "10.0.0.12" or "fd00::12", without brackets', isIpAddress)
    .optional()
    .describe(
      "The IP address published container ports listen on, and only that one. Default: address, which must then be an IP; required when address is a host name.",
    ),
  capacity: wholeNumber(1, "a whole number above 0")
    .default(DEFAULTS.host.capacity)
    .describe("Most dockhand-managed containers this host may run."),
  labels: labelsField().prefault({}).describe("Labels that placement.labels selects on, e.g. { zone: a }."),
}).transform(({ bindAddress, ...host }) => ({ ...host, bind: bindIp(bindAddress ?? host.address) }));

/**
 * What published ports bind to, as the engine will report it. A host name
 * stays as written here; host-issues.ts reports it, so it never
 * reaches a HostSpec.
 */
function bindIp(text: string): string {
  return canonicalIp(text) ?? text;
}

const hostsSchema = z
  .record(
    z.string().regex(HOST_NAME_RE, expected('a host name of lowercase letters, digits and "-", like "alpha"')),
    hostSchema,
    expected("a map of host name: { docker, address }"),
  )
  .refine((hosts) => Object.keys(hosts).length > 0, {
    error: "define at least one host, e.g. alpha: { docker: local, address: 127.0.0.1 }",
  })
  .describe("The Docker hosts dockhand deploys to, by name.");

const driverSchema = z.enum(PROXY_DRIVERS, {
  error: (issue: { input?: unknown }) => {
    const hint = typeof issue.input === "string" ? closestMatch(issue.input, PROXY_DRIVERS) : undefined;
    const got = typeof issue.input === "string" ? JSON.stringify(issue.input) : String(issue.input ?? "nothing");
    return `expected one of ${PROXY_DRIVERS.join(", ")}, got ${got}${hint ? `; did you mean "${hint}"?` : ""}`;
  },
});

const acmeSchema = strictMap({
  ca: text('an ACME directory URL like "https://acme-v02.api.letsencrypt.org/directory"', /^https?:\/\/\S+$/).describe(
    "The ACME server's directory URL.",
  ),
  email: text('an email address like "ops@example.com"', /^[^\s@]+@[^\s@]+$/)
    .optional()
    .describe("Account contact the ACME server may write to about certificates."),
  trustedRoots: z
    .array(text("the path of a PEM file"), expected("a list of PEM file paths"))
    .optional()
    .describe("PEM files of roots to trust for the ACME server's own HTTPS (a private CA); paths beside dockhand."),
});

const certificateSchema = strictMap({
  cert: text("the path of a PEM certificate file (its chain may follow it)").describe(
    "PEM certificate, optionally followed by its chain; a path beside dockhand.",
  ),
  key: text("the path of a PEM key file").describe("Its private key; a path beside dockhand."),
});

const proxyTlsSchema = strictMap({
  listen: textMatching('host:port like "0.0.0.0:443"', isListenAddress, /^\S+:\d{1,5}$/)
    .default(DEFAULTS.proxy.httpsListen)
    .describe("Address HTTPS listens on."),
  certificates: z
    .array(certificateSchema, expected("a list of { cert, key } maps"))
    .min(1, expected("at least one { cert, key }"))
    .optional()
    .describe(
      "HTTPS from certificate files (driver: builtin only), chosen by SNI; the first also serves clients that send no name. A wildcard certificate for previews.domain serves every preview.",
    ),
  redirect: bool()
    .default(false)
    .describe("Answer plain-HTTP requests for served hostnames with a redirect to https (driver: builtin only)."),
  acme: acmeSchema
    .optional()
    .describe("Automatic HTTPS for every exact app hostname from an ACME server (driver: caddy only)."),
});

const proxySchema = strictMap({
  driver: driverSchema.default(DEFAULTS.proxy.driver).describe("Which reverse proxy serves the routes."),
  listen: textMatching('host:port like "0.0.0.0:8080"', isListenAddress, /^\S+:\d{1,5}$/)
    .default(DEFAULTS.proxy.listen)
    .describe("Address the proxy listens on."),
  tls: proxyTlsSchema
    .optional()
    .describe("HTTPS for the app hostnames, from certificates or acme; absent means HTTP only."),
});

const previewsSchema = strictMap({
  domain: text('a domain like "preview.example.com"', DNS_NAME_RE).describe(
    "Previews are served at <app>-pr-<n>.<domain>.",
  ),
  ttl: duration({ positive: true })
    .prefault(DEFAULTS.previews.ttl)
    .describe("A preview without a push for this long is torn down."),
  maxActive: wholeNumber(0, "a whole number, 0 or more")
    .default(DEFAULTS.previews.maxActive)
    .describe("Most previews alive at once."),
  allowForks: bool().default(DEFAULTS.previews.allowForks).describe("Whether PRs from forks get previews."),
  base: text('the name of an environment, like "staging"', ENVIRONMENT_NAME_RE)
    .optional()
    .describe(
      "The environment previews are planned against and take their apps' settings from; absent means the first environment without promote.",
    ),
});

const registrySchema = strictMap({
  address: textMatching(
    'a registry host[:port] without a scheme, like "registry.example.com:5000"',
    isRegistryAddress,
    /^[^\s/:]+(:\d{1,5})?$/,
  ).describe("Where builds are pushed and pulled from: host[:port], no scheme."),
  namespace: textMatching(
    'a repository path of lowercase letters, digits, ".", "_", "-" and "/", like "acme"',
    isRepositoryPath,
  )
    .default(DEFAULTS.registry.namespace)
    .describe("Path under the address: builds are pushed as <address>/<namespace>/<app>:<tag>."),
}).describe(
  "A registry for builds: built once, pushed once, pulled by every other host. Credentials come from dockhand's side (DOCKHAND_REGISTRY_AUTH, a docker config.json), never from git. Absent: images are streamed engine to engine.",
);

const statusSchema = strictMap({
  branch: textMatching('a branch name like "dockhand-status"', isBranchName)
    .default(DEFAULTS.status.branch)
    .describe("Branch of the deploy repo where dockhand records what runs where."),
});

const promoteSchema = strictMap({
  from: text('the name of another environment, like "staging"', ENVIRONMENT_NAME_RE).describe(
    "The environment whose proven commits this one deploys.",
  ),
  after: duration({ positive: true })
    .optional()
    .describe("How long every app of `from` must have run a commit healthy before it is promoted here."),
  manual: bool()
    .optional()
    .describe("Promote only when asked: dockhand promote <env>, or POST /api/environments/<env>/promote."),
}).describe("Deploy what another environment proved, instead of following the branch; give after or manual: true.");

const environmentSchema = strictMap({
  promote: promoteSchema.optional(),
}).describe("One long-lived environment; {} follows the tracked branch.");

export const ENVIRONMENT_NAME_WHAT =
  'an environment name of lowercase letters, digits and "-", starting with a letter, up to 24 characters, not pr-<n>, like "staging"';

const environmentsSchema = z
  .record(z.string().regex(ENVIRONMENT_NAME_RE, expected(ENVIRONMENT_NAME_WHAT)), environmentSchema, {
    ...expected("a map of environment name: { promote }"),
  })
  .refine((envs) => Object.keys(envs).length > 0, {
    error: "name at least one environment, e.g. production: {}, or leave environments out",
  })
  .describe(
    "Long-lived environments, e.g. staging: {} and production: { promote: { from: staging, after: 10m } }. Absent: one environment, production, following the tracked branch.",
  );

export const dockhandFileSchema = strictMap({
  hosts: hostsSchema,
  proxy: proxySchema.prefault({}).describe("The reverse proxy in front of the apps."),
  previews: previewsSchema.optional().describe("Preview environments for pull requests; absent means none."),
  registry: registrySchema.optional(),
  status: statusSchema.prefault({}).describe("Where dockhand reports what runs where."),
  environments: environmentsSchema.optional(),
}).meta({
  title: "dockhand.yaml",
  description: "Hosts, proxy, previews, registry, status branch and environments of a dockhand deploy repo.",
});

export type DockhandFile = z.output<typeof dockhandFileSchema>;
