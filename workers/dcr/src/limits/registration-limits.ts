// One Durable Object for the whole deployment: the daily registration caps (global and per
// source), a lock per client id for changes to a registration, the shared app clients (which one
// serves each group and slot), and the pace of calls to Cognito's app-client API. Each method
// runs to its end without awaiting anything (SQLite storage is synchronous), so no other call
// interleaves: a check and its count are one step, whatever the number of concurrent requests.
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

/** The shared app client of one group and slot, as the limits object keeps it. */
export interface SharedAppClientRow {
  group: string;
  slot: number;
  clientId: string;
  /** The app client's Cognito secret sealed under FRONT_DOOR_KEY; absent for a public one. */
  sealedSecret?: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** What `RegistrationLimits.takeCognitoCall` is asked: one call, and the limits it must keep. */
export interface CognitoCallRequest {
  /** A new random id of the call, for `finishCognitoCall`. */
  callId: string;
  operation: string;
  /** Epoch milliseconds. */
  nowMs: number;
  /** Calls of one operation per second; 0: no limit. */
  perOperation: number;
  /** Calls of all operations per second; 0: no limit. */
  total: number;
}

/** The answer of `RegistrationLimits.takeCognitoCall`. */
export type CognitoCallOutcome = { ok: true } | { ok: false; waitMs: number };

/**
 * The window of Cognito's per-second limits: a second, and a margin for the clocks. A call counts
 * from the moment it is let through until this long after its answer came back, so that however
 * long the network holds a request, no more than the limit can arrive at Cognito in any second.
 */
export const COGNITO_CALL_WINDOW_MS = 1100;
/** A call whose end is never reported (its request died) stops counting this long after it began. */
export const COGNITO_CALL_MAX_MS = 30_000;
/** How long to wait before asking again while only calls still under way hold the turns. */
const IN_FLIGHT_RETRY_MS = 50;

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
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS shared_app_clients (
         group_key TEXT NOT NULL, slot INTEGER NOT NULL, client_id TEXT NOT NULL,
         sealed_secret TEXT, created_at INTEGER NOT NULL,
         PRIMARY KEY (group_key, slot)) WITHOUT ROWID`,
    );
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS cognito_call_turns (
         call_id TEXT PRIMARY KEY, operation TEXT NOT NULL,
         started_at INTEGER NOT NULL, ended_at INTEGER) WITHOUT ROWID`,
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

  /** The shared app client of a group's slot, if it has been created. */
  getAppClient(group: string, slot: number): SharedAppClientRow | undefined {
    const row = this.sql
      .exec<{ client_id: string; sealed_secret: string | null; created_at: number }>(
        "SELECT client_id, sealed_secret, created_at FROM shared_app_clients WHERE group_key = ? AND slot = ?",
        group,
        slot,
      )
      .toArray()[0];
    if (!row) return undefined;
    return {
      group,
      slot,
      clientId: row.client_id,
      ...(row.sealed_secret !== null ? { sealedSecret: row.sealed_secret } : {}),
      createdAt: row.created_at,
    };
  }

  /**
   * Records the app client made for a group's slot, unless one is recorded already; returns the one
   * that serves the slot now.
   */
  putAppClient(row: SharedAppClientRow): SharedAppClientRow {
    const existing = this.getAppClient(row.group, row.slot);
    if (existing) return existing;
    this.sql.exec(
      "INSERT INTO shared_app_clients (group_key, slot, client_id, sealed_secret, created_at) VALUES (?, ?, ?, ?, ?)",
      row.group,
      row.slot,
      row.clientId,
      row.sealedSecret ?? null,
      row.createdAt,
    );
    return row;
  }

  /** Replaces the sealed secret of an app client (sealed again under a new FRONT_DOOR_KEY). */
  resealAppClientSecret(group: string, slot: number, clientId: string, sealedSecret: string): void {
    this.sql.exec(
      "UPDATE shared_app_clients SET sealed_secret = ? WHERE group_key = ? AND slot = ? AND client_id = ?",
      sealedSecret,
      group,
      slot,
      clientId,
    );
  }

  /** Forgets a slot's app client (gone from Cognito), if it is still `clientId`. */
  forgetAppClient(group: string, slot: number, clientId: string): void {
    this.sql.exec(
      "DELETE FROM shared_app_clients WHERE group_key = ? AND slot = ? AND client_id = ?",
      group,
      slot,
      clientId,
    );
  }

  /** Every shared app client, without secrets (the reconciliation's view). */
  listAppClients(): Omit<SharedAppClientRow, "sealedSecret">[] {
    return this.sql
      .exec<{ group_key: string; slot: number; client_id: string; created_at: number }>(
        "SELECT group_key, slot, client_id, created_at FROM shared_app_clients ORDER BY created_at",
      )
      .toArray()
      .map((row) => ({
        group: row.group_key,
        slot: row.slot,
        clientId: row.client_id,
        createdAt: row.created_at,
      }));
  }

  /**
   * Lets one call to Cognito's app-client API through if fewer than `perOperation` calls of the
   * operation and fewer than `total` calls in all still count (under way, or answered less than
   * {@link COGNITO_CALL_WINDOW_MS} ago); otherwise lets nothing through and says how long to wait.
   */
  takeCognitoCall(request: CognitoCallRequest): CognitoCallOutcome {
    const { nowMs } = request;
    this.sql.exec(
      `DELETE FROM cognito_call_turns
       WHERE (ended_at IS NOT NULL AND ended_at <= ?) OR (ended_at IS NULL AND started_at <= ?)`,
      nowMs - COGNITO_CALL_WINDOW_MS,
      nowMs - COGNITO_CALL_MAX_MS,
    );
    const counting = this.sql
      .exec<{ operation: string; ended_at: number | null }>(
        "SELECT operation, ended_at FROM cognito_call_turns",
      )
      .toArray();
    /** When one of these calls stops counting: a window after its answer, or soon if under way. */
    const freedIn = (rows: typeof counting) =>
      Math.max(
        1,
        Math.min(
          ...rows.map((row) =>
            row.ended_at === null
              ? IN_FLIGHT_RETRY_MS
              : row.ended_at + COGNITO_CALL_WINDOW_MS - nowMs,
          ),
        ),
      );
    const sameOperation = counting.filter((row) => row.operation === request.operation);
    const waits: number[] = [];
    if (request.perOperation > 0 && sameOperation.length >= request.perOperation)
      waits.push(freedIn(sameOperation));
    if (request.total > 0 && counting.length >= request.total) waits.push(freedIn(counting));
    if (waits.length > 0) return { ok: false, waitMs: Math.max(...waits) };
    this.sql.exec(
      "INSERT INTO cognito_call_turns (call_id, operation, started_at, ended_at) VALUES (?, ?, ?, NULL)",
      request.callId,
      request.operation,
      nowMs,
    );
    return { ok: true };
  }

  /** Records that a call let through by `takeCognitoCall` has its answer. */
  finishCognitoCall(callId: string, nowMs: number): void {
    this.sql.exec(
      "UPDATE cognito_call_turns SET ended_at = ? WHERE call_id = ? AND ended_at IS NULL",
      nowMs,
      callId,
    );
  }
}
