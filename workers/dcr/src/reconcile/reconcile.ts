import { OAuthError } from "@mcp-cognito-workers/http";
import type { ClientSeen } from "@mcp-cognito-workers/registrations";
import {
  type CognitoPoolOptions,
  deleteUserPoolClient,
  describeUserPoolClient,
  listUserPoolClients,
} from "../cognito/operations";
import type { ClientLocks, LimitsStub } from "../limits/limits";
import { audit } from "../registration/abuse";
import { COGNITO_CLIENT_NAME_PREFIX } from "../registration/client-metadata";
import { relayCallbackUrl } from "../registration/cognito-config";
import type { RegistrationContext } from "../registration/context";
import { ensureRelay } from "../registration/relay";
import { removeRegistration } from "../registration/remove";
import { CIMD_CLIENT_PREFIX, CLIENT_PREFIX } from "../storage/keys";
import {
  type CimdClientListMetadata,
  type RegistrationListMetadata,
  readRegistration,
} from "../storage/records";

/** Pause between Cognito calls: about 4 a second, under the 5 RPS per operation and pool. */
export const RECONCILE_CALL_INTERVAL_MILLISECONDS = 250;
/** A Cognito client or record younger than this may be a registration still in flight. */
export const RECONCILE_GRACE_SECONDS = 60 * 60;
/** At most this many deletions per run; the next run continues. */
export const RECONCILE_MAX_DELETIONS = 100;
const SEEN_PREFIX = "client-seen:";

/** Options of {@link reconcile}. */
export interface ReconcileOptions {
  kv: KVNamespace;
  cognito: CognitoPoolOptions;
  staleAfterDays: number;
  /** A registration that never got a token is deleted this long after it was made; 0: never. */
  unusedClientHours: number;
  /** The registrations' locks: a deletion waits for no change under way, it skips that client. */
  locks: ClientLocks;
  /** Where the shared app clients are recorded: they are never orphans, and forgotten when gone. */
  sharedAppClients: Pick<LimitsStub, "listAppClients" | "forgetAppClient">;
  /** Epoch milliseconds. */
  now: () => number;
  sleep: (milliseconds: number) => Promise<void>;
  /**
   * With the facade's configured issuer: registrations whose app client does not yet hold the
   * front door's callback (made before it, or under another issuer) are moved over.
   */
  relay?: RegistrationContext;
}

/** What a run did. */
export interface ReconcileReport {
  cognitoClients: number;
  records: number;
  orphansDeleted: string[];
  recordsForgotten: string[];
  staleDeleted: string[];
  /** Registrations deleted because no token was ever issued to them (`UNUSED_CLIENT_HOURS`). */
  unusedDeleted: string[];
  /** Registrations moved onto the front door's callback. */
  relayed: string[];
  /**
   * CIMD app clients deleted (stale) or forgotten (gone from Cognito), by Cognito client id; a
   * CIMD URL served by the shared app clients, by the hex SHA-256 of its URL.
   */
  cimdRemoved: string[];
  /** Shared app clients gone from Cognito, forgotten so that the next sign-in makes new ones. */
  sharedForgotten: string[];
}

/** The times of a registration that decide its cleanup (a record, or its list metadata). */
export interface RegistrationTimes {
  clientIdIssuedAt: number;
  lastUsedAt: number;
  tokenIssuedAt?: number;
}

/** The cut-offs of {@link cleanupReason}, in epoch seconds; undefined turns a rule off. */
export interface CleanupCutoffs {
  /** Last use before this: stale. */
  staleBefore?: number;
  /** Made before this and never used: unused. */
  unusedBefore?: number;
}

/**
 * Why the cleanup deletes a registration, if it does: `unused` when it was made before
 * `unusedBefore`, `/token` never issued it a token (`tokenIssuedAt` 0; a record from before this
 * was recorded has none and is left to the stale rule) and mcp-rs never saw it (`seenAt` 0);
 * `stale` when its last use of any kind is before `staleBefore`. RFC 7592 calls count as use only
 * for the stale rule: they sign no one in.
 */
export function cleanupReason(
  times: RegistrationTimes,
  seenAt: number,
  cutoffs: CleanupCutoffs,
): "unused" | "stale" | undefined {
  if (
    cutoffs.unusedBefore !== undefined &&
    times.tokenIssuedAt === 0 &&
    seenAt === 0 &&
    times.clientIdIssuedAt < cutoffs.unusedBefore
  )
    return "unused";
  const lastUsed = Math.max(times.lastUsedAt, times.tokenIssuedAt ?? 0, seenAt);
  if (cutoffs.staleBefore !== undefined && lastUsed < cutoffs.staleBefore) return "stale";
  return undefined;
}

async function listAll<T>(kv: KVNamespace, prefix: string) {
  const keys: { name: string; metadata: T | undefined }[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list<T>({ prefix, ...(cursor ? { cursor } : {}) });
    for (const key of page.keys) keys.push({ name: key.name, metadata: key.metadata });
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return keys;
}

/**
 * Brings KV and Cognito into agreement and deletes stale registrations:
 * a facade-named Cognito client that neither a record nor a shared slot knows (older than the
 * grace period) is deleted; a record whose own Cognito client is gone is forgotten, and a shared
 * slot whose app client is gone too; a registration unused for `staleAfterDays` is deleted (in
 * Cognito as well when it has its own app client). Calls are paced to stay under Cognito's limits.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const { kv, cognito, now, sleep } = options;
  const startedSeconds = Math.floor(now() / 1000);
  const paced = async <T>(call: () => Promise<T>) => {
    const result = await call();
    await sleep(RECONCILE_CALL_INTERVAL_MILLISECONDS);
    return result;
  };

  const records = await listAll<RegistrationListMetadata>(kv, CLIENT_PREFIX);
  const recordIds = new Map(records.map((r) => [r.name.slice(CLIENT_PREFIX.length), r.metadata]));
  const cimdRecords = await listAll<CimdClientListMetadata>(kv, CIMD_CLIENT_PREFIX);
  const cimdClientIds = new Set(
    cimdRecords.flatMap((r) => (r.metadata?.cognitoClientId ? [r.metadata.cognitoClientId] : [])),
  );
  const shared = await options.sharedAppClients.listAppClients();
  const sharedIds = new Set(shared.map((row) => row.clientId));
  const seen = new Map(
    (await listAll<ClientSeen>(kv, SEEN_PREFIX)).map((s) => [
      s.name.slice(SEEN_PREFIX.length),
      s.metadata?.seenAt ?? 0,
    ]),
  );

  const cognitoIds = new Set<string>();
  const facadeClients: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await paced(() => listUserPoolClients(nextToken, cognito));
    for (const client of page.clients) {
      cognitoIds.add(client.ClientId);
      if (client.ClientName.startsWith(COGNITO_CLIENT_NAME_PREFIX))
        facadeClients.push(client.ClientId);
    }
    nextToken = page.nextToken;
  } while (nextToken);

  const report: ReconcileReport = {
    cognitoClients: cognitoIds.size,
    records: recordIds.size,
    orphansDeleted: [],
    recordsForgotten: [],
    staleDeleted: [],
    unusedDeleted: [],
    relayed: [],
    cimdRemoved: [],
    sharedForgotten: [],
  };
  let budget = RECONCILE_MAX_DELETIONS;

  for (const row of shared) {
    // Created after the listing began, perhaps: leave young ones alone.
    if (
      cognitoIds.has(row.clientId) ||
      startedSeconds - row.createdAt / 1000 < RECONCILE_GRACE_SECONDS
    )
      continue;
    await options.sharedAppClients.forgetAppClient(row.group, row.slot, row.clientId);
    report.sharedForgotten.push(row.clientId);
    audit({ action: "forget", clientId: row.clientId, reason: "shared app client not in Cognito" });
  }

  for (const clientId of facadeClients) {
    if (budget <= 0) break;
    if (recordIds.has(clientId) || cimdClientIds.has(clientId) || sharedIds.has(clientId)) continue;
    const client = await paced(() => describeUserPoolClient(clientId, cognito));
    if (startedSeconds - (client.CreationDate ?? 0) < RECONCILE_GRACE_SECONDS) continue;
    await paced(() => deleteUserPoolClient(clientId, cognito));
    await removeRegistration(clientId, kv, now());
    report.orphansDeleted.push(clientId);
    audit({ action: "delete", clientId, reason: "orphan: no registration record" });
    budget--;
  }

  const staleBefore = startedSeconds - options.staleAfterDays * 24 * 60 * 60;
  const cutoffs: CleanupCutoffs = {
    ...(options.staleAfterDays > 0 ? { staleBefore } : {}),
    ...(options.unusedClientHours > 0
      ? { unusedBefore: startedSeconds - options.unusedClientHours * 60 * 60 }
      : {}),
  };
  for (const [clientId, metadata] of recordIds) {
    if (budget <= 0) break;
    const issuedAt = metadata?.clientIdIssuedAt ?? 0;
    const ownAppClient = metadata?.sharedAppClient !== true;
    if (ownAppClient && !cognitoIds.has(clientId)) {
      // Created after the listing began, perhaps: leave young records alone.
      if (startedSeconds - issuedAt < RECONCILE_GRACE_SECONDS) continue;
      await removeRegistration(clientId, kv, now());
      report.recordsForgotten.push(clientId);
      audit({ action: "forget", clientId, reason: "not in Cognito" });
      budget--;
      continue;
    }
    const seenAt = seen.get(clientId) ?? 0;
    const listed = { clientIdIssuedAt: issuedAt, lastUsedAt: issuedAt, ...metadata };
    if (cleanupReason(listed, seenAt, cutoffs)) {
      // Decided again on the stored record, under its lock, so that a token or an RFC 7592 change
      // since the listing is not undone; a client whose lock is held is left to the next run.
      const outcome = await options.locks.run(clientId, async () => {
        const record = await readRegistration(kv, clientId);
        const reason = record && cleanupReason(record, seenAt, cutoffs);
        if (!record || !reason) return undefined;
        if (!record.sharedAppClient) await paced(() => deleteUserPoolClient(clientId, cognito));
        await removeRegistration(clientId, kv, now());
        return { reason, record };
      });
      if (!outcome.ran || !outcome.value) continue;
      const { reason, record } = outcome.value;
      (reason === "stale" ? report.staleDeleted : report.unusedDeleted).push(clientId);
      audit({
        action: "delete",
        clientId,
        reason,
        clientIdIssuedAt: record.clientIdIssuedAt,
        lastUsedAt: Math.max(record.lastUsedAt, record.tokenIssuedAt ?? 0, seenAt),
      });
      budget--;
      continue;
    }
    const relay = options.relay;
    if (ownAppClient && relay && metadata?.relayCallbackUrl !== relayCallbackUrl(relay.issuer)) {
      const record = await readRegistration(kv, clientId);
      if (!record) continue;
      try {
        await paced(() => ensureRelay(record, relay));
      } catch (error) {
        // Being changed right now, or deleted since the listing: the next run looks again.
        if (error instanceof OAuthError) continue;
        throw error;
      }
      report.relayed.push(clientId);
      budget--;
    }
  }

  for (const entry of cimdRecords) {
    if (budget <= 0) break;
    const mapped = entry.metadata;
    if (!mapped) continue;
    const own = mapped.cognitoClientId;
    if (own === undefined) {
      // Served by the shared app clients: only the record goes, and no tombstone (the tokens'
      // client_id is a shared app client's, which every other client of its group uses too).
      if (options.staleAfterDays <= 0 || mapped.lastUsedAt >= staleBefore) continue;
      await kv.delete(entry.name);
      report.cimdRemoved.push(entry.name.slice(CIMD_CLIENT_PREFIX.length));
      audit({ action: "delete", clientId: entry.name, reason: "stale CIMD client" });
      budget--;
      continue;
    }
    const gone = !cognitoIds.has(own);
    if (gone && startedSeconds - mapped.createdAt < RECONCILE_GRACE_SECONDS) continue;
    const lastUsed = Math.max(mapped.lastUsedAt, seen.get(own) ?? 0);
    const stale = options.staleAfterDays > 0 && lastUsed < staleBefore;
    if (!gone && !stale) continue;
    if (stale && !gone) await paced(() => deleteUserPoolClient(own, cognito));
    // The tombstone makes mcp-rs refuse the app client's access tokens that are still valid.
    await removeRegistration(own, kv, now());
    await kv.delete(entry.name);
    report.cimdRemoved.push(own);
    audit({
      action: gone ? "forget" : "delete",
      clientId: own,
      reason: gone ? "CIMD app client not in Cognito" : "stale CIMD app client",
    });
    budget--;
  }
  return report;
}
