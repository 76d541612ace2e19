// Who a `client_id` is: a DCR registration (its record) or a CIMD URL (its document), and the
// Cognito app client that serves it: a shared app client of its group, or, for a registration made
// before app clients were shared, its own.
import { logEvent } from "@mcp-cognito-workers/http";
import { groupFor, slotFor } from "../app-clients/groups";
import type { AppClientRef } from "../app-clients/shared";
import { type CimdDocument, CimdError, isCimdClientId } from "../cimd/document";
import { loadCimdDocument } from "../cimd/fetch-document";
import { audit } from "../registration/abuse";
import type { ClientMetadata } from "../registration/client-metadata";
import { relayCallbackUrl } from "../registration/cognito-config";
import type { RegistrationContext } from "../registration/context";
import { ensureRelay } from "../registration/relay";
import { isClientIdShape, sha256Hex } from "../registration/secrets";
import { USE_RECORD_INTERVAL_SECONDS } from "../registration/use-records";
import {
  type CimdClientRecord,
  type RegistrationRecord,
  readCimdClient,
  readRegistration,
  writeCimdClient,
} from "../storage/records";
import type { FrontDoorClient } from "./authorize-request";

/** What the front door needs to resolve clients. */
export interface ClientResolution {
  registration: RegistrationContext;
  fetch?: typeof fetch;
  cimdEnabled: boolean;
  cimdAllowLocalUrls: boolean;
}

/** A resolved client and what backs it. */
export type ResolvedClient =
  | { client: FrontDoorClient; kind: "dcr"; record: RegistrationRecord }
  | { client: FrontDoorClient; kind: "cimd"; document: CimdDocument };

/** Why a client_id could not be resolved; safe to show. */
export class UnknownClientError extends Error {
  override readonly name = "UnknownClientError";
}

function fromRecord(record: RegistrationRecord): FrontDoorClient {
  return {
    clientId: record.clientId,
    kind: "dcr",
    redirectUris: record.metadata.redirectUris,
    scope: record.metadata.scope,
    ...(record.metadata.clientName !== undefined ? { clientName: record.metadata.clientName } : {}),
    tokenEndpointAuthMethod: record.metadata.tokenEndpointAuthMethod,
    grantTypes: record.metadata.grantTypes,
  };
}

function fromDocument(document: CimdDocument): FrontDoorClient {
  return {
    clientId: document.clientId,
    kind: "cimd",
    redirectUris: document.redirectUris,
    scope: document.scope,
    ...(document.clientName !== undefined ? { clientName: document.clientName } : {}),
    tokenEndpointAuthMethod: "none",
    grantTypes: ["authorization_code", "refresh_token"],
  };
}

/** Reads a DCR registration by client id; undefined for an id that cannot be one. */
export async function readDcrClient(
  clientId: string,
  kv: KVNamespace,
): Promise<RegistrationRecord | undefined> {
  if (!isClientIdShape(clientId)) return undefined;
  return readRegistration(kv, clientId);
}

/**
 * Resolves the `client_id` of an authorization request: a CIMD URL is fetched (or read from the
 * cache) and checked; anything else must be a registration. @throws UnknownClientError
 */
export async function resolveClient(
  clientId: string,
  options: ClientResolution,
): Promise<ResolvedClient> {
  if (isCimdClientId(clientId)) {
    if (!options.cimdEnabled)
      throw new UnknownClientError(
        "This server does not accept Client ID Metadata Documents; register the client instead.",
      );
    try {
      const document = await loadCimdDocument(clientId, {
        allowLocalUrls: options.cimdAllowLocalUrls,
        policy: options.registration.policy,
        kv: options.registration.kv,
        now: options.registration.now,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      return { kind: "cimd", client: fromDocument(document), document };
    } catch (error) {
      if (error instanceof CimdError)
        throw new UnknownClientError(
          `The client's metadata document was refused: ${error.message}`,
        );
      throw error;
    }
  }
  const record = await readDcrClient(clientId, options.registration.kv);
  if (!record) throw new UnknownClientError("The client_id is not registered with this server.");
  return { kind: "dcr", client: fromRecord(record), record };
}

/** A client known to the token and revocation relays, and what backs it. */
export type RelayClient =
  | { client: FrontDoorClient; kind: "dcr"; record: RegistrationRecord }
  | { client: FrontDoorClient; kind: "cimd"; cimd: CimdClientRecord };

/**
 * The client a token or revocation request names: a registration, or a CIMD URL that has been
 * through `/authorize` (its `cimd-client:` record; the document is never fetched here).
 */
export async function findRelayClient(
  clientId: string,
  kv: KVNamespace,
  options: { cimdEnabled: boolean },
): Promise<RelayClient | undefined> {
  if (isCimdClientId(clientId)) {
    if (!options.cimdEnabled || clientId.length > 2048) return undefined;
    const cimd = await readCimdClient(kv, await sha256Hex(clientId));
    if (!cimd || cimd.url !== clientId) return undefined;
    return {
      kind: "cimd",
      cimd,
      client: {
        clientId,
        kind: "cimd",
        redirectUris: [],
        scope: cimd.scope,
        tokenEndpointAuthMethod: "none",
        grantTypes: ["authorization_code", "refresh_token"],
      },
    };
  }
  const record = await readDcrClient(clientId, kv);
  return record ? { kind: "dcr", record, client: fromRecord(record) } : undefined;
}

/**
 * Records that `/token` issued tokens to a CIMD URL, at most once a day (its record's
 * `lastUsedAt`), so that a client that only refreshes is not deleted as stale. A failure is
 * logged: the tokens are already issued.
 */
export async function recordCimdTokenUse(
  cimd: CimdClientRecord,
  context: RegistrationContext,
): Promise<void> {
  const nowSeconds = Math.floor(context.now() / 1000);
  if (nowSeconds - cimd.lastUsedAt < USE_RECORD_INTERVAL_SECONDS) return;
  try {
    await writeCimdClient(context.kv, await sha256Hex(cimd.url), {
      ...cimd,
      lastUsedAt: nowSeconds,
    });
  } catch (error) {
    logEvent("error", "token_use_not_recorded", { clientId: cimd.url, error: String(error) });
  }
}

/** The metadata a CIMD client's app client is chosen by: public, the code flow, its scope. */
function cimdMetadata(scope: string) {
  return {
    grantTypes: ["authorization_code", "refresh_token"] as ClientMetadata["grantTypes"],
    scope,
    tokenEndpointAuthMethod: "none" as const,
  };
}

/** The shared app client that serves a client of this metadata now: its group's, its slot's. */
export async function sharedAppClientFor(
  metadata: Pick<ClientMetadata, "grantTypes" | "scope" | "tokenEndpointAuthMethod">,
  clientId: string,
  context: RegistrationContext,
) {
  const group = await groupFor(metadata, relayCallbackUrl(context.issuer), context.policy);
  const slot = await slotFor(clientId, context.appClientsPerGroup);
  return context.appClients.forSlot(group, slot);
}

/** The shared app client for a CIMD client of this scope. */
export function sharedAppClientForCimd(url: string, scope: string, context: RegistrationContext) {
  return sharedAppClientFor(cimdMetadata(scope), url, context);
}

/** Limits the first use of a client that costs the facade a record (a CIMD URL's first approval). */
export type CreationGuard = () => Promise<void>;

/**
 * The Cognito app client that serves an approved sign-in, ready for the relay: a registration
 * with its own app client is moved onto the relay if it is not yet; any other client gets the
 * shared app client of its group and slot, created on first need. A CIMD URL's first approval
 * records it (through `guard`).
 */
export async function prepareCognitoClient(
  resolved: ResolvedClient,
  context: RegistrationContext,
  guard: CreationGuard,
): Promise<AppClientRef> {
  if (resolved.kind === "dcr") {
    if (!resolved.record.sharedAppClient)
      return { clientId: (await ensureRelay(resolved.record, context)).clientId };
    const shared = await sharedAppClientFor(
      resolved.record.metadata,
      resolved.record.clientId,
      context,
    );
    return { clientId: shared.clientId, group: shared.group, slot: shared.slot };
  }
  const cimd = await ensureCimdClient(resolved.document, context, guard);
  const shared = await sharedAppClientForCimd(cimd.url, cimd.scope, context);
  return { clientId: shared.clientId, group: shared.group, slot: shared.slot };
}

/**
 * Records a CIMD URL's first approval (through `guard`), keeps its approved scope current, and its
 * use at most once a day. A record made before app clients were shared keeps its own app client,
 * for the refresh tokens it issued.
 */
export async function ensureCimdClient(
  document: CimdDocument,
  context: RegistrationContext,
  guard: CreationGuard,
): Promise<CimdClientRecord> {
  const hash = await sha256Hex(document.clientId);
  const nowSeconds = Math.floor(context.now() / 1000);
  const existing = await readCimdClient(context.kv, hash);
  if (existing && existing.url === document.clientId) {
    const due = nowSeconds - existing.lastUsedAt >= USE_RECORD_INTERVAL_SECONDS;
    if (existing.scope === document.scope && !due) return existing;
    const updated: CimdClientRecord = {
      ...existing,
      scope: document.scope,
      lastUsedAt: nowSeconds,
    };
    await writeCimdClient(context.kv, hash, updated);
    if (existing.scope !== document.scope)
      audit({ action: "cimd_update", clientId: document.clientId, scope: document.scope });
    return updated;
  }
  await guard();
  const record: CimdClientRecord = {
    url: document.clientId,
    scope: document.scope,
    createdAt: nowSeconds,
    lastUsedAt: nowSeconds,
  };
  await writeCimdClient(context.kv, hash, record);
  audit({ action: "cimd_create", clientId: document.clientId, scope: document.scope });
  return record;
}
