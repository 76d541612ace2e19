// When a registration was last used: the cron deletes stale and never-used ones from these.
import { type RegistrationRecord, readRegistration, writeRegistration } from "../storage/records";
import type { RegistrationContext } from "./context";

/** Use is recorded at most this often per client, to spare KV writes. */
export const USE_RECORD_INTERVAL_SECONDS = 24 * 60 * 60;

/**
 * Records use of a registration (an RFC 7592 read), at most once per
 * {@link USE_RECORD_INTERVAL_SECONDS}; under the client's lock, from the stored record, so that it
 * never writes back a deleted registration or an older copy over an update. Skipped while another
 * change holds the lock.
 */
export async function recordUse(record: RegistrationRecord, context: RegistrationContext) {
  const nowSeconds = Math.floor(context.now() / 1000);
  if (nowSeconds - record.lastUsedAt < USE_RECORD_INTERVAL_SECONDS) return record;
  const outcome = await context.locks.run(record.clientId, async () => {
    const current = await readRegistration(context.kv, record.clientId);
    if (!current) return record;
    const updated = { ...current, lastUsedAt: nowSeconds };
    await writeRegistration(context.kv, updated);
    return updated;
  });
  return outcome.ran ? outcome.value : record;
}

/**
 * Records that `/token` issued tokens to a registration (its first use, then its latest), at most
 * once per {@link USE_RECORD_INTERVAL_SECONDS}, under the client's lock. The cleanup deletes a
 * registration that never got a token (`UNUSED_CLIENT_HOURS`). Skipped while another change holds
 * the lock; the next token request records it.
 */
export async function recordTokenUse(clientId: string, context: RegistrationContext) {
  const nowSeconds = Math.floor(context.now() / 1000);
  const record = await readRegistration(context.kv, clientId);
  if (!record || !isTokenUseDue(record, nowSeconds)) return;
  await context.locks.run(clientId, async () => {
    const current = await readRegistration(context.kv, clientId);
    if (!current || !isTokenUseDue(current, nowSeconds)) return;
    await writeRegistration(context.kv, {
      ...current,
      tokenIssuedAt: nowSeconds,
      lastUsedAt: Math.max(current.lastUsedAt, nowSeconds),
    });
  });
}

/** Whether `/token`'s use of a registration is to be recorded now (never yet, or a day since). */
export function isTokenUseDue(record: RegistrationRecord, nowSeconds: number): boolean {
  return !record.tokenIssuedAt || nowSeconds - record.tokenIssuedAt >= USE_RECORD_INTERVAL_SECONDS;
}
