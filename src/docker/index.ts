import type { DockerPort, HostSpec } from "../model/index.js";
import { DockerHosts, type DockerHostsOptions } from "./docker-hosts.js";

export { type CheckHostsOptions, checkHosts } from "./check-hosts.js";
export { DOCKER_DEFAULTS } from "./docker-defaults.js";
export { DockerHosts, type DockerHostsOptions } from "./docker-hosts.js";
export type { CheckName, CheckResult, CheckStatus, HostCheck, HostFacts } from "./host-check.js";

/** The DockerPort over the given hosts. Throws only for a list that cannot work (a name twice). */
export function createDockerHosts(hosts: HostSpec[], options?: DockerHostsOptions): DockerPort {
  return new DockerHosts(hosts, options);
}
