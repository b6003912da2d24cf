import type { RegistrySpec } from "../model/index.js";

/**
 * A build's image as the registry names it: `dockhand/web:3f2a…` becomes
 * `registry.example.com:5000/acme/web:3f2a…`. The tag stays the context's
 * hash, so a plan still knows the image without building it.
 */
export function registryImage(localTag: string, registry: RegistrySpec): string {
  const name = localTag.slice(localTag.lastIndexOf("/") + 1);
  return `${registry.address}/${registry.namespace}/${name}`;
}
