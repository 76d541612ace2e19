import type { ClientSeen } from "@mcp-cognito-workers/registrations";
import {
  type CognitoPoolOptions,
  deleteUserPoolClient,
  describeUserPoolClient,
  listUserPoolClients,
} from "../cognito/operations";
import { audit } from "../registration/abuse";
import { COGNITO_CLIENT_NAME_PREFIX } from "../registration/client-metadata";
import { relayCallbackUrl } from "../registration/cognito-config";
import { ensureRelay, type RegistrationContext, removeRegistration } from "../registration/service";
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
  /** Registrations moved onto the front door's callback. */
  relayed: string[];
  /** CIMD app clients deleted (stale) or forgotten (gone from Cognito), by Cognito client id. */
  cimdRemoved: string[];
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
 * a facade-named Cognito client with no record (older than the grace period) is deleted;
 * a record whose Cognito client is gone is forgotten; a registration unused for
 * `staleAfterDays` is deleted in both. Calls are paced to stay under Cognito's limits.
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
    cimdRecords.flatMap((r) => (r.metadata ? [r.metadata.cognitoClientId] : [])),
  );
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
    relayed: [],
    cimdRemoved: [],
  };
  let budget = RECONCILE_MAX_DELETIONS;

  for (const clientId of facadeClients) {
    if (budget <= 0) break;
    if (recordIds.has(clientId) || cimdClientIds.has(clientId)) continue;
    const client = await paced(() => describeUserPoolClient(clientId, cognito));
    if (startedSeconds - (client.CreationDate ?? 0) < RECONCILE_GRACE_SECONDS) continue;
    await paced(() => deleteUserPoolClient(clientId, cognito));
    await removeRegistration(clientId, kv, now());
    report.orphansDeleted.push(clientId);
    audit({ action: "delete", clientId, reason: "orphan: no registration record" });
    budget--;
  }

  const staleBefore = startedSeconds - options.staleAfterDays * 24 * 60 * 60;
  for (const [clientId, metadata] of recordIds) {
    if (budget <= 0) break;
    const issuedAt = metadata?.clientIdIssuedAt ?? 0;
    if (!cognitoIds.has(clientId)) {
      // Created after the listing began, perhaps: leave young records alone.
      if (startedSeconds - issuedAt < RECONCILE_GRACE_SECONDS) continue;
      await removeRegistration(clientId, kv, now());
      report.recordsForgotten.push(clientId);
      audit({ action: "forget", clientId, reason: "not in Cognito" });
      budget--;
      continue;
    }
    const lastUsed = Math.max(metadata?.lastUsedAt ?? issuedAt, seen.get(clientId) ?? 0);
    if (options.staleAfterDays > 0 && lastUsed < staleBefore) {
      await paced(() => deleteUserPoolClient(clientId, cognito));
      await removeRegistration(clientId, kv, now());
      report.staleDeleted.push(clientId);
      audit({ action: "delete", clientId, reason: "stale", lastUsedAt: lastUsed });
      budget--;
      continue;
    }
    const relay = options.relay;
    if (relay && metadata?.relayCallbackUrl !== relayCallbackUrl(relay.issuer)) {
      const record = await readRegistration(kv, clientId);
      if (!record) continue;
      await paced(() => ensureRelay(record, relay));
      report.relayed.push(clientId);
      budget--;
    }
  }

  for (const entry of cimdRecords) {
    if (budget <= 0) break;
    const mapped = entry.metadata;
    if (!mapped) continue;
    const gone = !cognitoIds.has(mapped.cognitoClientId);
    if (gone && startedSeconds - mapped.createdAt < RECONCILE_GRACE_SECONDS) continue;
    const lastUsed = Math.max(mapped.lastUsedAt, seen.get(mapped.cognitoClientId) ?? 0);
    const stale = options.staleAfterDays > 0 && lastUsed < staleBefore;
    if (!gone && !stale) continue;
    if (stale && !gone) await paced(() => deleteUserPoolClient(mapped.cognitoClientId, cognito));
    // The tombstone makes mcp-rs refuse the app client's access tokens that are still valid.
    await removeRegistration(mapped.cognitoClientId, kv, now());
    await kv.delete(entry.name);
    report.cimdRemoved.push(mapped.cognitoClientId);
    audit({
      action: gone ? "forget" : "delete",
      clientId: mapped.cognitoClientId,
      reason: gone ? "CIMD app client not in Cognito" : "stale CIMD app client",
    });
    budget--;
  }
  return report;
}
