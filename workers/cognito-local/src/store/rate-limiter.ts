const WINDOW_MS = 1000;
/** Accepted calls kept per operation for {@link RateLimiter.stats}; older ones are dropped. */
const KEPT_CALLS = 10_000;

/** What the IdP API was asked per operation, for the `/_local/stats` hook. */
export interface CallStats {
  operations: Record<string, { accepted: number; throttled: number; peakPerSecond: number }>;
  /** The most calls accepted within any one-second window, all operations together. */
  peakPerSecond: number;
}

/** Counts calls per operation in a sliding one-second window, as Cognito's per-operation quotas do. */
export class RateLimiter {
  private readonly calls = new Map<string, number[]>();
  private readonly accepted = new Map<string, number[]>();
  private readonly counts = new Map<string, { accepted: number; throttled: number }>();

  /** Records a call and says whether it is within `perSecond`; 0 means no limit. */
  tryAcquire(operation: string, now: number, perSecond: number): boolean {
    const count = this.counts.get(operation) ?? { accepted: 0, throttled: 0 };
    this.counts.set(operation, count);
    if (perSecond !== 0) {
      const recent = (this.calls.get(operation) ?? []).filter((t) => t > now - WINDOW_MS);
      if (recent.length >= perSecond) {
        this.calls.set(operation, recent);
        count.throttled++;
        return false;
      }
      recent.push(now);
      this.calls.set(operation, recent);
    }
    count.accepted++;
    const times = this.accepted.get(operation) ?? [];
    times.push(now);
    if (times.length > KEPT_CALLS) times.shift();
    this.accepted.set(operation, times);
    return true;
  }

  /** Calls accepted and throttled per operation, and the busiest second, since the start. */
  stats(): CallStats {
    const operations: CallStats["operations"] = {};
    for (const [operation, count] of this.counts)
      operations[operation] = {
        ...count,
        peakPerSecond: peak(this.accepted.get(operation) ?? []),
      };
    const all = [...this.accepted.values()].flat().sort((a, b) => a - b);
    return { operations, peakPerSecond: peak(all) };
  }
}

/** The most of these (sorted) times within any window of {@link WINDOW_MS}. */
function peak(times: number[]): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= WINDOW_MS) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
