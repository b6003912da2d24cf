/**
 * What a registry's refusal means for the person reading it. The engine relays
 * the registry's answer as text (HTTP 404/500, or in-band during a push), so
 * these patterns are the only handle on it; anything else stays an engine error.
 */
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { credentialsHint, type RegistryAuth } from "./registry-auth.js";

const AUTH_REFUSED = /no basic auth credentials|unauthorized|authentication required|access.*denied|forbidden/i;
const NOT_FOUND = /manifest unknown|name unknown|not found|does not exist/i;

/** A DockhandError for a push or pull the registry refused, or undefined when `why` is no registry refusal. */
export function registryFailure(
  engine: Engine,
  verb: "push" | "pull",
  image: string,
  auth: RegistryAuth,
  why: string,
  cause?: unknown,
): DockhandError | undefined {
  const host = `host ${engine.host.name}`;
  const make = (message: string) => new DockhandError("DOCKHAND_E_REGISTRY", message, { cause });
  if (verb === "push" && /does not exist locally|no such image/i.test(why)) {
    return make(`${host}: cannot push ${image}: the host has no such image (${why})`);
  }
  const authRefused = AUTH_REFUSED.test(why);
  if (verb === "pull" && NOT_FOUND.test(why)) {
    // Docker Hub answers "pull access denied ..., repository does not exist or may require 'docker login'" for both.
    const orAuth = authRefused ? `; or the registry wants credentials: ${credentialsHint(auth)}` : "";
    return make(`${host}: image ${image} not found in registry ${auth.registry} (${why})${orAuth}`);
  }
  if (authRefused) {
    return make(
      `${host}: registry ${auth.registry} refused the ${verb} of ${image} (${why}): ${credentialsHint(auth)}`,
    );
  }
  return undefined;
}
