/**
 * Every default of the deploy repo format in one place, so docs/deploy-repo.md,
 * the JSON Schemas and the parser cannot disagree.
 */
export const DEFAULTS = {
  host: { capacity: 50 },
  proxy: { driver: "builtin", listen: "0.0.0.0:8080", httpsListen: "0.0.0.0:443" },
  previews: { ttl: "72h", maxActive: 10, allowForks: false },
  status: { branch: "dockhand-status" },
  registry: { namespace: "dockhand" },
  app: {
    env: "production",
    dockerfile: "Dockerfile",
    replicas: 1,
    health: { timeout: "2s", within: "60s", stable: "2s" },
    rollout: { batch: 1, drain: "10s", retain: 3 },
    hooks: { timeout: "10m" },
    stopTimeout: "10s",
  },
} as const;

/** App keys planned for dockhand that this version does not build yet: an error, never silently ignored. */
export const APP_KEYS_NOT_SUPPORTED_YET: readonly string[] = [];

/** dockhand.yaml keys planned for dockhand that this version does not build yet. */
export const DOCKHAND_KEYS_NOT_SUPPORTED_YET = ["defaults"] as const;
