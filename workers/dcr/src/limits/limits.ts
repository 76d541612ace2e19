// The worker's side of the RegistrationLimits Durable Object: reservations against the daily caps
// of app-client creation, and the per-client lock that serializes changes to a registration.
import { logEvent, OAuthError } from "@mcp-cognito-workers/http";
import { secondsUntilNextUtcDay, utcDay } from "../registration/abuse";
import type { RegistrationLimits } from "./registration-limits";

/** Name of the one object that counts and locks for the whole deployment. */
export const LIMITS_OBJECT_NAME = "registration-limits";

/** How long a client's lock lasts if its holder never lets go (a request that died midway). */
export const CLIENT_LOCK_LEASE_MILLISECONDS = 30_000;

/** A stub of the limits object. */
export type LimitsStub = DurableObjectStub<RegistrationLimits>;

/** The stub of the limits object called `name` (tests give each facade its own). */
export function getLimits(
  namespace: DurableObjectNamespace<RegistrationLimits>,
  name: string = LIMITS_OBJECT_NAME,
): LimitsStub {
  return namespace.getByName(name);
}

/** The daily caps of app-client creation; 0 turns one off. */
export interface DailyCaps {
  perSource: number;
  global: number;
}

/** The 429 of a daily cap, with `Retry-After` until the next UTC day, when the counts start over. */
export function dailyCapError(cap: "source" | "global", nowMs: number): OAuthError {
  return new OAuthError(
    "temporarily_unavailable",
    cap === "source"
      ? "this source has reached its daily limit of registrations"
      : "this server has reached its daily limit of registrations; retry tomorrow",
    429,
    { headers: { "Retry-After": String(secondsUntilNextUtcDay(nowMs)) } },
  );
}

/** A place under the daily caps for one app-client creation. */
export interface Reservation {
  /** Counts the creation, or throws the 429 of the cap that is reached. */
  take(): Promise<void>;
  /** Gives the count back if it was taken (the creation did not happen). */
  cancel(): Promise<void>;
}

/** Options of {@link createReservation}. */
export interface ReservationOptions {
  /** The hashed source (IPv4 address or IPv6 /64). */
  source: string;
  caps: DailyCaps;
  /** Epoch milliseconds. */
  now: () => number;
}

/** A reservation for one app-client creation from `source`, on the current UTC day. */
export function createReservation(limits: LimitsStub, options: ReservationOptions): Reservation {
  const { source, caps, now } = options;
  const day = utcDay(now());
  let taken = false;
  return {
    async take() {
      const outcome = await limits.reserve({
        day,
        source,
        perSourceLimit: caps.perSource,
        globalLimit: caps.global,
      });
      if (!outcome.ok) throw dailyCapError(outcome.cap, now());
      taken = true;
    },
    async cancel() {
      if (!taken) return;
      taken = false;
      await limits.cancelReservation({ day, source });
    },
  };
}

/** What {@link ClientLocks.run} did. */
export type LockOutcome<T> = { ran: true; value: T } | { ran: false };

/** Serializes the changes to one registration (RFC 7592 update and delete, use records, cleanup). */
export interface ClientLocks {
  /** Runs `task` holding `clientId`'s lock; `{ran: false}`, not running it, if another holds it. */
  run<T>(clientId: string, task: () => Promise<T>): Promise<LockOutcome<T>>;
}

/** Client locks kept by the limits object. */
export function createClientLocks(limits: LimitsStub, now: () => number): ClientLocks {
  return {
    async run<T>(clientId: string, task: () => Promise<T>): Promise<LockOutcome<T>> {
      const holder = crypto.randomUUID();
      if (!(await limits.acquireLock(clientId, holder, now(), CLIENT_LOCK_LEASE_MILLISECONDS)))
        return { ran: false };
      try {
        return { ran: true, value: await task() };
      } finally {
        // Not letting go only delays the next change until the lease runs out.
        await limits
          .releaseLock(clientId, holder)
          .catch((error: unknown) =>
            logEvent("error", "lock_release_failed", { clientId, error: String(error) }),
          );
      }
    },
  };
}

/** The per-second limits the facade keeps on its calls to Cognito's app-client API. */
export interface CognitoCallLimits {
  /** Calls of one operation per second (Cognito: about 5 per operation and pool); 0: no limit. */
  perOperation: number;
  /** Calls of all operations per second (Cognito: 15 per account for each category); 0: none. */
  total: number;
}

/** Longest a request waits for its turn to call Cognito before it is answered 429. */
export const COGNITO_PACE_MAX_WAIT_MILLISECONDS = 5_000;
/** Seconds a client is told to wait when the facade's own pace of Cognito calls is full. */
export const COGNITO_PACE_RETRY_AFTER_SECONDS = 2;

/** Options of {@link createCognitoPacer}. */
export interface CognitoPacerOptions {
  limits: CognitoCallLimits;
  /** Epoch milliseconds. */
  now: () => number;
  sleep: (milliseconds: number) => Promise<void>;
  /** Longest wait for a turn; {@link COGNITO_PACE_MAX_WAIT_MILLISECONDS} by default. */
  maxWaitMs?: number;
}

/** Reports that a paced call has its answer (its turn then counts one window more). */
export type FinishCognitoCall = () => Promise<void>;

/**
 * Waits for a turn to call Cognito, counted in the limits object for the whole deployment, so
 * that the facade never sends Cognito more calls a second than `limits`; returns what to call
 * once the answer is in. A request that would wait longer than `maxWaitMs` is answered 429 with
 * `Retry-After` instead.
 */
export function createCognitoPacer(
  stub: LimitsStub,
  options: CognitoPacerOptions,
): (operation: string) => Promise<FinishCognitoCall> {
  const { limits, now, sleep } = options;
  const maxWaitMs = options.maxWaitMs ?? COGNITO_PACE_MAX_WAIT_MILLISECONDS;
  const unpaced: FinishCognitoCall = async () => {};
  return async (operation) => {
    if (limits.perOperation === 0 && limits.total === 0) return unpaced;
    const callId = crypto.randomUUID();
    let waited = 0;
    for (;;) {
      const outcome = await stub.takeCognitoCall({
        callId,
        operation,
        nowMs: now(),
        perOperation: limits.perOperation,
        total: limits.total,
      });
      if (outcome.ok)
        return () =>
          stub
            .finishCognitoCall(callId, now())
            .catch((error: unknown) =>
              logEvent("error", "pace_not_recorded", { operation, error: String(error) }),
            );
      if (waited + outcome.waitMs > maxWaitMs)
        throw new OAuthError(
          "temporarily_unavailable",
          "the authorization server is busy; retry later",
          429,
          { headers: { "Retry-After": String(COGNITO_PACE_RETRY_AFTER_SECONDS) } },
        );
      waited += outcome.waitMs;
      await sleep(outcome.waitMs);
    }
  };
}
