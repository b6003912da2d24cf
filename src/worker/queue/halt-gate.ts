/**
 * Lets a stopping worker end at a clean point (issue 6, SIGTERM): once
 * halted, calls already under way through the wrapped ports finish, and no
 * new call starts; it waits forever instead, until the process exits. The
 * next worker re-observes and re-plans from whatever the last call left.
 */
export class HaltGate {
  private inflight = 0;
  private halted = false;
  private idle: Array<() => void> = [];

  get isHalted(): boolean {
    return this.halted;
  }

  /** Resolves once no call is under way; from now on no call starts. */
  halt(): Promise<void> {
    this.halted = true;
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** `target` with every method except `skip` passing through the gate. */
  wrap<T extends object>(target: T, skip: readonly string[] = []): T {
    const gate = this;
    return new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== "function") return value;
        if (typeof property !== "string" || skip.includes(property)) return value.bind(object);
        return async (...args: unknown[]) => {
          await gate.enter();
          try {
            return await value.apply(object, args);
          } finally {
            gate.leave();
          }
        };
      },
    });
  }

  private async enter(): Promise<void> {
    if (this.halted) await new Promise<never>(() => {});
    this.inflight += 1;
  }

  private leave(): void {
    this.inflight -= 1;
    if (this.inflight === 0) for (const resolve of this.idle.splice(0)) resolve();
  }
}
