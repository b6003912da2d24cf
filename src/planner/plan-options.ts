export interface PlanOptions {
  /**
   * Environments this plan may touch. Containers of other environments are
   * left alone (they still count toward each host's capacity).
   * Default: every environment, so managed containers whose environment is not
   * in the desired state are pruned. A preview sync passes `["pr-42"]`, a
   * production sync `["production"]`, so they plan independently.
   */
  envs?: readonly string[];
  /**
   * The dockhand instance planning. New containers of an instance other than
   * the default carry it in their names (see containerName). The observed
   * state must already hold only this instance's containers
   * (`DockerPort.observe(instance)` filters by label).
   */
  instance?: string;
  /**
   * Let slots with per-slot volumes move between hosts, leaving their data
   * behind (`dockhand apply --allow-data-move`); else only apps with
   * `placement.allowDataMove` may, and a move of another is an error on it.
   */
  allowDataMove?: boolean;
}
