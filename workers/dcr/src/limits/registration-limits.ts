// One Durable Object for the whole deployment: the daily registration caps (global and per
// source) and a lock per client id for changes to a registration. Each method runs to its end
// without awaiting anything (SQLite storage is synchronous), so no other call interleaves: a check
// and its count are one step, whatever the number of concurrent requests.
import { DurableObject } from "cloudflare:workers";

/** The scope name of the global count. */
const GLOBAL_SCOPE = "*";

/** What `RegistrationLimits.reserve` is asked. */
export interface ReservationRequest {
  /** The UTC day, `yyyy-mm-dd`. */
  day: string;
  /** The hashed source (IPv4 address or IPv6 /64). */
  source: string;
  /** Registrations allowed per source and day; 0: no cap. */
  perSourceLimit: number;
  /** Registrations allowed in all per day; 0: no cap. */
  globalLimit: number;
}

/** The answer of `RegistrationLimits.reserve`. */
export type ReservationOutcome = { ok: true } | { ok: false; cap: "source" | "global" };

/** The day before a `yyyy-mm-dd` day. */
function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/** Daily registration counts and per-client locks; see docs/storage.md. */
export class RegistrationLimits extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS daily_counts (
         day TEXT NOT NULL, scope TEXT NOT NULL, count INTEGER NOT NULL,
         PRIMARY KEY (day, scope)) WITHOUT ROWID`,
    );
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS client_locks (
         client_id TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
    );
  }

  private count(day: string, scope: string): number {
    const row = this.sql
      .exec<{ count: number }>(
        "SELECT count FROM daily_counts WHERE day = ? AND scope = ?",
        day,
        scope,
      )
      .toArray()[0];
    return row?.count ?? 0;
  }

  private add(day: string, scope: string, delta: 1 | -1): void {
    this.sql.exec(
      `INSERT INTO daily_counts (day, scope, count) VALUES (?, ?, MAX(?, 0))
       ON CONFLICT (day, scope) DO UPDATE SET count = MAX(count + ?, 0)`,
      day,
      scope,
      delta,
      delta,
    );
  }

  /**
   * Counts one registration for `source` on `day`, unless the source's or the global cap for that
   * day is reached; then counts nothing and says which.
   */
  reserve(request: ReservationRequest): ReservationOutcome {
    // Yesterday is kept for requests whose clock is a little behind.
    this.sql.exec("DELETE FROM daily_counts WHERE day < ?", previousDay(request.day));
    const sourceScope = `source:${request.source}`;
    if (
      request.perSourceLimit > 0 &&
      this.count(request.day, sourceScope) >= request.perSourceLimit
    )
      return { ok: false, cap: "source" };
    if (request.globalLimit > 0 && this.count(request.day, GLOBAL_SCOPE) >= request.globalLimit)
      return { ok: false, cap: "global" };
    this.add(request.day, sourceScope, 1);
    this.add(request.day, GLOBAL_SCOPE, 1);
    return { ok: true };
  }

  /** Gives back a reservation whose registration was not made. */
  cancelReservation(request: Pick<ReservationRequest, "day" | "source">): void {
    this.add(request.day, `source:${request.source}`, -1);
    this.add(request.day, GLOBAL_SCOPE, -1);
  }

  /**
   * Takes `clientId`'s lock for `holder` until `nowMs + leaseMs`, unless another holder has it
   * and its lease has not run out. Returns whether `holder` now holds it.
   */
  acquireLock(clientId: string, holder: string, nowMs: number, leaseMs: number): boolean {
    this.sql.exec("DELETE FROM client_locks WHERE expires_at <= ?", nowMs);
    const held = this.sql
      .exec<{ holder: string }>("SELECT holder FROM client_locks WHERE client_id = ?", clientId)
      .toArray()[0];
    if (held && held.holder !== holder) return false;
    this.sql.exec(
      `INSERT INTO client_locks (client_id, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (client_id) DO UPDATE SET expires_at = excluded.expires_at`,
      clientId,
      holder,
      nowMs + leaseMs,
    );
    return true;
  }

  /** Lets go of `clientId`'s lock if `holder` still holds it. */
  releaseLock(clientId: string, holder: string): void {
    this.sql.exec("DELETE FROM client_locks WHERE client_id = ? AND holder = ?", clientId, holder);
  }
}
