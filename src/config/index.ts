export { buildImageTag } from "./build-image-tag.js";
export { listSources } from "./check-across-files.js";
export { DOCKHAND_FILE } from "./check-dockhand-file.js";
export {
  canonicalJson,
  computeSpecFields,
  computeSpecHash,
  type SpecHashParts,
  specHashParts,
  UNRESOLVED_SECRET,
  withSecretDigests,
} from "./compute-spec-hash.js";
export { DEFAULTS } from "./defaults.js";
export { type DeployRepoJsonSchemas, deployRepoJsonSchemas } from "./deploy-repo-json-schemas.js";
export { parseDuration } from "./duration.js";
export { isRegistryAddress, isRepositoryPath } from "./fields.js";
export { parseDeployRepo } from "./parse-deploy-repo.js";
export { formatBytes, utf8Length, YAML_LIMITS } from "./yaml-limits.js";
