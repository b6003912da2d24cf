/**
 * Which secrets sign deliveries about which repository. An app's source
 * repository (`build.git`) belongs to other people than the deploy repo, so
 * it can have a secret of its own (DOCKHAND_WEBHOOK_SECRETS): a delivery
 * about a repository with its own secrets is accepted only under one of them,
 * and every other repository's deliveries only under the default secrets
 * (DOCKHAND_WEBHOOK_SECRET). A list per repository allows rotation.
 */
import { DockhandError } from "../model/errors.js";

/** Secrets by `owner/name`. */
export type RepositorySecrets = Readonly<Record<string, readonly string[]>>;

export interface SecretsFor {
  secrets: readonly string[];
  /** Where they are configured, for the answer to a delivery that another secret signed. */
  source: string;
}

const REPOSITORY = /^[\w.-]+\/[\w.-]+$/;

export class WebhookSecrets {
  private readonly own = new Map<string, readonly string[]>();
  /** Every secret configured: a delivery signed with none of them is refused before its body is read. */
  readonly all: readonly string[];

  constructor(
    private readonly defaults: readonly string[],
    byRepository: RepositorySecrets = {},
  ) {
    const usage = (message: string) => new DockhandError("DOCKHAND_E_USAGE", `webhookRoutes: ${message}`);
    if (!Array.isArray(defaults) || defaults.length === 0 || defaults.some((s) => !s)) {
      throw usage("secrets must hold at least one non-empty secret (DOCKHAND_WEBHOOK_SECRET)");
    }
    for (const [repository, secrets] of Object.entries(byRepository)) {
      if (!REPOSITORY.test(repository))
        throw usage(`repository secrets are keyed by "owner/name", got "${repository}"`);
      if (secrets.length === 0 || secrets.some((s) => !s)) {
        throw usage(`${repository} must have at least one non-empty secret (DOCKHAND_WEBHOOK_SECRETS)`);
      }
      const key = repository.toLowerCase();
      this.own.set(key, [...(this.own.get(key) ?? []), ...secrets]);
    }
    this.checkShared();
    this.all = [...new Set([...defaults, ...[...this.own.values()].flat()])];
  }

  /** The secrets that may sign a delivery about `repository` (a delivery naming none takes the default ones). */
  for(repository: string | undefined): SecretsFor {
    const own = repository === undefined ? undefined : this.own.get(repository.toLowerCase());
    if (own) return { secrets: own, source: `${repository}'s own secret (DOCKHAND_WEBHOOK_SECRETS)` };
    return { secrets: this.defaults, source: "the default secret (DOCKHAND_WEBHOOK_SECRET)" };
  }

  /** A secret shared by two repositories (or with the default) would let either sign for the other. */
  private checkShared(): void {
    const owner = new Map<string, string>(this.defaults.map((s) => [s, "DOCKHAND_WEBHOOK_SECRET"]));
    for (const [repository, secrets] of this.own) {
      for (const secret of new Set(secrets)) {
        const other = owner.get(secret);
        if (other !== undefined) {
          throw new DockhandError(
            "DOCKHAND_E_USAGE",
            `webhookRoutes: ${repository} has a secret that ${other} has too; give each repository a secret of its own, or none to use the default`,
          );
        }
        owner.set(secret, repository);
      }
    }
  }
}
