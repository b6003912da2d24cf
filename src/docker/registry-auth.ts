/**
 * dockhand's credentials for registries (issue 4: "credentials from dockhand's
 * side"), read from a docker config.json as `docker login` writes it: the file
 * named by DOCKHAND_REGISTRY_AUTH, else $DOCKER_CONFIG/config.json, else
 * $HOME/.docker/config.json, including the credential helpers it names.
 * Read on every push and pull, so a `docker login` takes effect without a
 * restart. Never from the deploy repo.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { DockhandError } from "../model/index.js";
import { runCredentialHelper } from "./credential-helper.js";

/** What the engine takes as X-Registry-Auth. */
export interface RegistryAuthConfig {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

export interface RegistryAuth {
  /** The registry as an image reference names it: `registry.example.com:5000`, `docker.io`. */
  registry: string;
  /** Where credentials were looked for, for messages: a path and the setting that chose it. */
  source: string;
  /** Undefined: dockhand has none for this registry (the request goes anonymous). */
  config?: RegistryAuthConfig;
  /** The credential helper config.json names for this registry (`docker-credential-<helper>`), when it names one. */
  helper?: string;
  /** Whether `config` came from `helper` rather than from "auths". */
  fromHelper?: boolean;
}

const DOCKER_HUB = "docker.io";
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
const DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

/** Docker's rule: the first part of a reference is a registry when it has a dot or a port, or is localhost. */
export function registryOf(image: string): string {
  const slash = image.indexOf("/");
  if (slash < 0) return DOCKER_HUB;
  const first = image.slice(0, slash);
  const isRegistry = first.includes(".") || first.includes(":") || first === "localhost";
  return isRegistry && !DOCKER_HUB_ALIASES.has(first) ? first : DOCKER_HUB;
}

/** A config.json key (`https://index.docker.io/v1/`, `host:5000`, `https://host:5000`) as a registry. */
function keyRegistry(key: string): string {
  const bare = key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
  return DOCKER_HUB_ALIASES.has(bare) ? DOCKER_HUB : bare;
}

function authFile(env: NodeJS.ProcessEnv): { path: string; setting: string; required: boolean } {
  const explicit = env.DOCKHAND_REGISTRY_AUTH?.trim();
  if (explicit) return { path: explicit, setting: "DOCKHAND_REGISTRY_AUTH", required: true };
  const dir = env.DOCKER_CONFIG?.trim();
  if (dir) return { path: join(dir, "config.json"), setting: "DOCKER_CONFIG", required: false };
  const home = env.HOME?.trim() || homedir();
  return { path: join(home, ".docker", "config.json"), setting: "default", required: false };
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

async function readConfig(path: string, setting: string, required: boolean): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    const why = err instanceof Error ? err.message : String(err);
    throw new DockhandError("DOCKHAND_E_REGISTRY", `cannot read registry credentials ${path} (${setting}): ${why}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as DockerConfigFile;
  } catch {
    // reported below, with what the file should look like
  }
  const expected = 'a docker config.json like {"auths": {"registry.example.com": {"auth": "<base64 user:password>"}}}';
  throw new DockhandError("DOCKHAND_E_REGISTRY", `registry credentials ${path} (${setting}) is not ${expected}`);
}

function toAuthConfig(
  entry: NonNullable<DockerConfigFile["auths"]>[string],
  serveraddress: string,
): RegistryAuthConfig | undefined {
  if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress };
  if (entry.username !== undefined && entry.password !== undefined) {
    return { username: entry.username, password: entry.password, serveraddress };
  }
  if (!entry.auth) return undefined;
  // The engine reads username and password, not `auth`: decode it here.
  const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress };
}

function helperFor(config: DockerConfigFile | undefined, registry: string): string | undefined {
  const key = Object.keys(config?.credHelpers ?? {}).find((k) => keyRegistry(k) === registry);
  return (key && config?.credHelpers?.[key]) || config?.credsStore || undefined;
}

/**
 * dockhand's credentials for the registry of `image`, from `env` (see the file
 * comment). As with the docker CLI, a credential helper named for the registry
 * (`credHelpers`, else `credsStore`) is asked first; `auths` serves when it
 * has none.
 */
export async function registryAuthFor(image: string, env: NodeJS.ProcessEnv): Promise<RegistryAuth> {
  const registry = registryOf(image);
  const file = authFile(env);
  const source = file.setting === "default" ? file.path : `${file.path} (${file.setting})`;
  const config = await readConfig(file.path, file.setting, file.required);
  const serveraddress = registry === DOCKER_HUB ? DOCKER_HUB_SERVER : registry;
  const helper = helperFor(config, registry);
  if (helper) {
    const fromHelper = await runCredentialHelper(helper, serveraddress, env, source);
    if (fromHelper) return { registry, source, helper, fromHelper: true, config: { ...fromHelper, serveraddress } };
  }
  const entry = Object.entries(config?.auths ?? {}).find(([key]) => keyRegistry(key) === registry)?.[1];
  const found = entry && toAuthConfig(entry, serveraddress);
  const named = helper ? { helper } : {};
  return found ? { registry, source, ...named, config: found } : { registry, source, ...named };
}

/** The fix to name when a registry refused dockhand: where its credentials would be read from. */
export function credentialsHint(auth: RegistryAuth): string {
  const helper = auth.helper && `credential helper docker-credential-${auth.helper} (named in ${auth.source})`;
  if (auth.config) {
    const from = auth.fromHelper && helper ? `from ${helper}` : `in ${auth.source}`;
    return `the credentials for ${auth.registry} ${from} were refused`;
  }
  const where = helper ? `: ${helper} has none, and ${auth.source} has no "auths" entry for it` : ` in ${auth.source}`;
  return `dockhand has no credentials for ${auth.registry}${where} (docker login ${auth.registry}, or set DOCKHAND_REGISTRY_AUTH to a docker config.json with "auths" for ${auth.registry})`;
}
