const WINDOW_MS = 1000;

/** Counts calls per operation in a sliding one-second window, as Cognito's per-operation quotas do. */
export class RateLimiter {
  private readonly calls = new Map<string, number[]>();

  /** Records a call and says whether it is within `perSecond`; 0 means no limit. */
  tryAcquire(operation: string, now: number, perSecond: number): boolean {
    if (perSecond === 0) return true;
    const recent = (this.calls.get(operation) ?? []).filter((t) => t > now - WINDOW_MS);
    if (recent.length >= perSecond) {
      this.calls.set(operation, recent);
      return false;
    }
    recent.push(now);
    this.calls.set(operation, recent);
    return true;
  }
}
