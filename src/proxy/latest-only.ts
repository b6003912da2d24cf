/**
 * Runs one job at a time and, of the values that arrive meanwhile, only the
 * newest: a driver that takes 100 ms to reload applies a burst of three route
 * tables as one reload, not three (every nginx or Caddy reload closes idle
 * client connections, so fewer is better). A caller whose value was skipped
 * learns the outcome of the newer value that replaced it. With `settleMs`,
 * each job first waits that long for newer values (a rollout's "route in" and
 * "route out" arrive milliseconds apart and then cost one reload).
 */
export class LatestOnly<T, R> {
  private running = false;
  private pending: { value: T; waiters: Array<{ resolve: (r: R) => void; reject: (e: unknown) => void }> } | undefined;

  constructor(
    private readonly job: (value: T) => Promise<R>,
    private readonly settleMs = 0,
  ) {}

  run(value: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const waiters = this.pending?.waiters ?? [];
      waiters.push({ resolve, reject });
      this.pending = { value, waiters };
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.pending) {
      if (this.settleMs > 0) await new Promise((r) => setTimeout(r, this.settleMs));
      if (!this.pending) break;
      const { value, waiters } = this.pending;
      this.pending = undefined;
      try {
        const result = await this.job(value);
        for (const w of waiters) w.resolve(result);
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    this.running = false;
  }
}
