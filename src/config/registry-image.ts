import type { AppSpec, RegistrySpec } from "../model/index.js";
import { computeSpecFields, computeSpecHash, specHashParts } from "./compute-spec-hash.js";

/**
 * A build's image as the registry names it: `dockhand/web:3f2a…` becomes
 * `registry.example.com:5000/acme/web:3f2a…`. The tag stays the context's
 * hash, so a plan still knows the image without building it.
 */
export function registryImage(localTag: string, registry: RegistrySpec): string {
  const name = localTag.slice(localTag.lastIndexOf("/") + 1);
  return `${registry.address}/${registry.namespace}/${name}`;
}

/** A `build:` app with a registry gets the registry's name for its image (and the hash that goes with it). */
export function withRegistry(spec: AppSpec, registry: RegistrySpec | undefined): AppSpec {
  if (registry === undefined || spec.build === undefined) return spec;
  const image = registryImage(spec.image, registry);
  const parts = specHashParts({ ...spec, image });
  return { ...spec, image, specHash: computeSpecHash(parts), specFields: computeSpecFields(parts) };
}
