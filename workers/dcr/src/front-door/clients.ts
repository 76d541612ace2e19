// Who a `client_id` is: a DCR registration (its record) or a CIMD URL (its document), and the
// Cognito app client behind it.
import { type CimdDocument, CimdError, isCimdClientId } from "../cimd/document";
import { loadCimdDocument } from "../cimd/fetch-document";
import {
  createUserPoolClient,
  deleteUserPoolClient,
  updateUserPoolClient,
} from "../cognito/operations";
import { audit } from "../registration/abuse";
import { toCognitoClientName } from "../registration/client-metadata";
import { relayCallbackUrl, toCognitoClientConfig } from "../registration/cognito-config";
import { sha256Hex } from "../registration/secrets";
import {
  ensureRelay,
  isClientIdShape,
  isNotFound,
  type RegistrationContext,
  USE_RECORD_INTERVAL_SECONDS,
} from "../registration/service";
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

/** The Cognito app client id behind a client, for the token and revocation relays. */
export async function cognitoClientIdFor(
  clientId: string,
  kv: KVNamespace,
  options: { cimdEnabled: boolean },
): Promise<{ client: FrontDoorClient; cognitoClientId: string } | undefined> {
  if (isCimdClientId(clientId)) {
    if (!options.cimdEnabled || clientId.length > 2048) return undefined;
    const mapped = await readCimdClient(kv, await sha256Hex(clientId));
    if (!mapped || mapped.url !== clientId) return undefined;
    return {
      cognitoClientId: mapped.cognitoClientId,
      client: {
        clientId,
        kind: "cimd",
        redirectUris: [],
        scope: mapped.scope,
        tokenEndpointAuthMethod: "none",
        grantTypes: ["authorization_code", "refresh_token"],
      },
    };
  }
  const record = await readDcrClient(clientId, kv);
  return record ? { client: fromRecord(record), cognitoClientId: record.clientId } : undefined;
}

/** Limits the creation of app clients (the registration rate limit and daily cap). */
export type CreationGuard = () => Promise<void>;

/**
 * The Cognito app client id that serves a client, ready for the relay: a DCR registration is
 * moved onto the relay if it is not yet; a CIMD URL gets its one public app client, created on
 * first use (through `guard`) and updated when the document's scopes change.
 */
export async function prepareCognitoClient(
  resolved: ResolvedClient,
  context: RegistrationContext,
  guard: CreationGuard,
): Promise<string> {
  if (resolved.kind === "dcr") return (await ensureRelay(resolved.record, context)).clientId;
  return (await ensureCimdClient(resolved.document, context, guard)).cognitoClientId;
}

/** Creates, updates or just returns the app client of a CIMD URL. */
export async function ensureCimdClient(
  document: CimdDocument,
  context: RegistrationContext,
  guard: CreationGuard,
): Promise<CimdClientRecord> {
  const hash = await sha256Hex(document.clientId);
  const callbackUrl = relayCallbackUrl(context.issuer);
  const nowSeconds = Math.floor(context.now() / 1000);
  const existing = await readCimdClient(context.kv, hash);
  const config = (name: string) =>
    toCognitoClientConfig(
      {
        grantTypes: ["authorization_code", "refresh_token"],
        scope: document.scope,
        tokenEndpointAuthMethod: "none",
      },
      name,
      callbackUrl,
      context.policy,
    );
  if (existing && existing.url === document.clientId) {
    if (existing.scope === document.scope && existing.relayCallbackUrl === callbackUrl) {
      if (nowSeconds - existing.lastUsedAt < USE_RECORD_INTERVAL_SECONDS) return existing;
      const used = { ...existing, lastUsedAt: nowSeconds };
      await writeCimdClient(context.kv, hash, used);
      return used;
    }
    try {
      await updateUserPoolClient(
        existing.cognitoClientId,
        config(existing.cognitoClientName),
        context.cognito,
      );
      const updated: CimdClientRecord = {
        ...existing,
        scope: document.scope,
        relayCallbackUrl: callbackUrl,
        lastUsedAt: nowSeconds,
      };
      await writeCimdClient(context.kv, hash, updated);
      audit({ action: "cimd_update", clientId: document.clientId, scope: document.scope });
      return updated;
    } catch (error) {
      // The app client was deleted behind our back: make a new one below.
      if (!isNotFound(error)) throw error;
    }
  }
  await guard();
  const cognitoClientName = toCognitoClientName(`cimd ${new URL(document.clientId).host}`);
  const created = await createUserPoolClient(config(cognitoClientName), false, context.cognito);
  const record: CimdClientRecord = {
    url: document.clientId,
    cognitoClientId: created.ClientId,
    cognitoClientName,
    scope: document.scope,
    relayCallbackUrl: callbackUrl,
    createdAt: nowSeconds,
    lastUsedAt: nowSeconds,
  };
  try {
    await writeCimdClient(context.kv, hash, record);
  } catch (error) {
    console.error(
      JSON.stringify({
        event: "cimd_compensation",
        clientId: created.ClientId,
        reason: String(error),
      }),
    );
    await deleteUserPoolClient(created.ClientId, context.cognito).catch(() => {});
    throw error;
  }
  audit({
    action: "cimd_create",
    clientId: document.clientId,
    cognitoClientId: created.ClientId,
    scope: document.scope,
  });
  return record;
}
