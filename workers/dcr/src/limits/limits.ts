// The worker's side of the RegistrationLimits Durable Object: reservations against the daily caps
// of app-client creation, and the per-client lock that serializes changes to a registration.
import { OAuthError } from "../oauth/oauth-error";
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
    { "Retry-After": String(secondsUntilNextUtcDay(nowMs)) },
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
            console.error(
              JSON.stringify({ event: "lock_release_failed", clientId, error: String(error) }),
            ),
          );
      }
    },
  };
}
