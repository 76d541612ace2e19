import { type ClientRevocation, REVOCATION_TTL_SECONDS } from "@mcp-cognito-workers/registrations";
import type { SharedAppClients } from "../app-clients/shared";
import { CognitoError } from "../cognito/client";
import {
  type CognitoPoolOptions,
  deleteUserPoolClient,
  describeUserPoolClient,
  updateUserPoolClient,
} from "../cognito/operations";
import type { RegistrationPolicy } from "../config";
import type { ClientLocks } from "../limits/limits";
import { invalidTokenError, OAuthError } from "../oauth/oauth-error";
import { clientKey, clientSeenKey, revokedClientKey } from "../storage/keys";
import { type RegistrationRecord, readRegistration, writeRegistration } from "../storage/records";
import { audit } from "./abuse";
import {
  type ClientMetadata,
  parseClientMetadata,
  toCognitoClientName,
  toWireMetadata,
} from "./client-metadata";
import { relayCallbackUrl, toCognitoClientConfig } from "./cognito-config";
import {
  generateClientSecret,
  generateRegistrationAccessToken,
  matchesHash,
  mintClientId,
  readBearerToken,
  sha256Hex,
} from "./secrets";

/** Use is recorded at most this often per client, to spare KV writes. */
export const USE_RECORD_INTERVAL_SECONDS = 24 * 60 * 60;

/** What the registration operations need. */
export interface RegistrationContext {
  kv: KVNamespace;
  cognito: CognitoPoolOptions;
  policy: RegistrationPolicy;
  issuer: string;
  /** Epoch milliseconds. */
  now: () => number;
  /** Serializes the changes to one registration. */
  locks: ClientLocks;
  /** The shared app clients that serve registrations and CIMD clients. */
  appClients: SharedAppClients;
  /** How many app clients (slots) each group has. */
  appClientsPerGroup: number;
}

/** `registration_client_uri` of a client. @see RFC 7592 §1 */
export function registrationClientUri(issuer: string, clientId: string): string {
  return `${issuer}/register/${encodeURIComponent(clientId)}`;
}

/** The RFC 7591 §3.2.1 / RFC 7592 §3 response body (no internal fields). */
export function toRegistrationResponse(
  record: RegistrationRecord,
  issuer: string,
  secrets: { clientSecret?: string; registrationAccessToken?: string },
): Record<string, unknown> {
  const confidential = record.metadata.tokenEndpointAuthMethod !== "none";
  return {
    client_id: record.clientId,
    client_id_issued_at: record.clientIdIssuedAt,
    ...(confidential && secrets.clientSecret !== undefined
      ? { client_secret: secrets.clientSecret, client_secret_expires_at: 0 }
      : {}),
    ...(secrets.registrationAccessToken !== undefined
      ? { registration_access_token: secrets.registrationAccessToken }
      : {}),
    registration_client_uri: registrationClientUri(issuer, record.clientId),
    ...toWireMetadata(record.metadata),
  };
}

/** Options of {@link registerClient}. */
export interface RegisterOptions {
  /** Runs once the metadata is valid, before the registration is stored (the daily caps). */
  beforeCreate?: () => Promise<void>;
}

/**
 * Stores a registration under a client id the facade mints. No Cognito app client is made for it:
 * a shared app client of its group serves it, made on first need (see `app-clients/`), so
 * registration never meets Cognito's quota or its request limits. A confidential client gets a
 * secret the facade issues and keeps only the hash of. @see RFC 7591 §3.1
 */
export async function registerClient(
  body: unknown,
  context: RegistrationContext,
  options: RegisterOptions = {},
): Promise<{ record: RegistrationRecord; clientSecret?: string; registrationAccessToken: string }> {
  const metadata = parseClientMetadata(body, context.policy);
  await options.beforeCreate?.();
  const confidential = metadata.tokenEndpointAuthMethod !== "none";
  const clientSecret = confidential ? generateClientSecret() : undefined;
  const registrationAccessToken = generateRegistrationAccessToken();
  const nowSeconds = Math.floor(context.now() / 1000);
  const record: RegistrationRecord = {
    clientId: mintClientId(),
    registrationAccessTokenHash: await sha256Hex(registrationAccessToken),
    metadata,
    sharedAppClient: true,
    ...(clientSecret !== undefined ? { clientSecretHash: await sha256Hex(clientSecret) } : {}),
    clientIdIssuedAt: nowSeconds,
    lastUsedAt: nowSeconds,
    tokenIssuedAt: 0,
  };
  try {
    await writeRegistration(context.kv, record);
  } catch (error) {
    console.error(
      JSON.stringify({
        event: "register_not_stored",
        clientId: record.clientId,
        error: String(error),
      }),
    );
    throw new OAuthError("server_error", "the client could not be registered; retry later", 500);
  }
  return {
    record,
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    registrationAccessToken,
  };
}

/** Longest client id looked up (Cognito's are 26 characters; KV keys end at 512 bytes). */
export const MAX_CLIENT_ID_LENGTH = 128;

/** Whether a value can be a client id this facade issued (Cognito's: letters and digits). */
export function isClientIdShape(clientId: string): boolean {
  return clientId.length <= MAX_CLIENT_ID_LENGTH && /^[\w-]+$/.test(clientId);
}

// A hash no token has, so that an unknown client costs the same comparison as a known one.
const UNMATCHABLE_HASH = "0".repeat(64);

/** Finds the registration a registration access token manages; 401 otherwise. @see RFC 7592 §3 */
export async function authenticateRegistration(
  clientId: string,
  authorization: string | undefined,
  context: RegistrationContext,
): Promise<RegistrationRecord> {
  const token = readBearerToken(authorization);
  if (token === undefined) throw invalidTokenError("a registration access token is required");
  // An id that cannot be one is answered like an unknown one, before any KV key is built from it.
  const record = isClientIdShape(clientId)
    ? await readRegistration(context.kv, clientId)
    : undefined;
  const ok = await matchesHash(token, record?.registrationAccessTokenHash ?? UNMATCHABLE_HASH);
  if (!ok || record === undefined)
    throw invalidTokenError("the registration access token is invalid for this client");
  return record;
}

/** The refusal of a change while another change to the same client is under way. */
export function clientBusyError(status: 409 | 503 = 409): OAuthError {
  return new OAuthError(
    "temporarily_unavailable",
    "another change to this client is in progress; retry",
    status,
    { "Retry-After": "1" },
  );
}

/**
 * Runs `task` holding the client's lock, so that no other change to the registration (RFC 7592
 * update or delete, a use record, the cleanup) interleaves with it; refuses while another holds it.
 */
async function exclusively<T>(
  clientId: string,
  context: RegistrationContext,
  task: () => Promise<T>,
  busyStatus: 409 | 503 = 409,
): Promise<T> {
  const outcome = await context.locks.run(clientId, task);
  if (!outcome.ran) throw clientBusyError(busyStatus);
  return outcome.value;
}

/**
 * The registration as stored now, read under its lock: the authenticated copy may predate a
 * change that finished meanwhile. Gone, or its token replaced: answered as a wrong token.
 */
async function currentRecord(
  authenticated: RegistrationRecord,
  context: RegistrationContext,
): Promise<RegistrationRecord> {
  const current = await readRegistration(context.kv, authenticated.clientId);
  if (current?.registrationAccessTokenHash !== authenticated.registrationAccessTokenHash)
    throw invalidTokenError("the registration access token is invalid for this client");
  return current;
}

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

/**
 * Moves a registration made before the front door (or under another issuer) onto the relay: its
 * Cognito app client gets the front door's callback as its only callback URL.
 */
export async function ensureRelay(
  record: RegistrationRecord,
  context: RegistrationContext,
): Promise<RegistrationRecord> {
  const callbackUrl = relayCallbackUrl(context.issuer);
  if (record.sharedAppClient || record.relayCallbackUrl === callbackUrl) return record;
  return exclusively(
    record.clientId,
    context,
    async () => {
      const current = await readRegistration(context.kv, record.clientId);
      if (!current)
        throw new OAuthError("invalid_request", "the client is no longer registered", 400);
      if (current.relayCallbackUrl === callbackUrl) return current;
      try {
        await updateUserPoolClient(
          current.clientId,
          toCognitoClientConfig(
            current.metadata,
            current.cognitoClientName ?? toCognitoClientName(current.metadata.clientName),
            callbackUrl,
            context.policy,
          ),
          context.cognito,
        );
      } catch (error) {
        if (isNotFound(error)) {
          await removeRegistration(current.clientId, context.kv, context.now());
          audit({ action: "forget", clientId: current.clientId, reason: "not in Cognito" });
        }
        throw error;
      }
      const next: RegistrationRecord = { ...current, relayCallbackUrl: callbackUrl };
      await writeRegistration(context.kv, next);
      audit({ action: "relay", clientId: current.clientId, callbackUrl });
      return next;
    },
    503,
  );
}

/** A Cognito client that vanished behind our back: forget it and answer as for an unknown client. */
async function forgetVanished(record: RegistrationRecord, context: RegistrationContext) {
  await removeRegistration(record.clientId, context.kv, context.now());
  audit({ action: "forget", clientId: record.clientId, reason: "not in Cognito" });
  return invalidTokenError("the registration access token is invalid for this client");
}

/** Whether Cognito answered that the app client does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof CognitoError && error.type === "ResourceNotFoundException";
}

/**
 * RFC 7592 read: the registration. A registration with its own app client gets its secret read
 * back from Cognito; a shared one's secret is kept only as a hash, so it is not returned (RFC 7592
 * §3 lets the server leave it out; the client keeps the one it was given).
 */
export async function readClient(record: RegistrationRecord, context: RegistrationContext) {
  if (record.sharedAppClient) {
    const used = await recordUse(record, context);
    return toRegistrationResponse(used, context.issuer, {});
  }
  // Cognito is asked for every kind of client: a public client whose app client is gone must be
  // forgotten and answered as unknown too, not served from KV until the cron notices.
  let clientSecret: string | undefined;
  try {
    const described = await describeUserPoolClient(record.clientId, context.cognito);
    if (record.metadata.tokenEndpointAuthMethod !== "none") clientSecret = described.ClientSecret;
  } catch (error) {
    if (isNotFound(error)) throw await forgetVanished(record, context);
    throw error;
  }
  const used = await recordUse(record, context);
  return toRegistrationResponse(used, context.issuer, { clientSecret });
}

const READ_ONLY_FIELDS = [
  "registration_access_token",
  "registration_client_uri",
  "client_secret_expires_at",
  "client_id_issued_at",
];

/**
 * RFC 7592 update: full replace, sent to Cognito as the full configuration, under the client's
 * lock (409 while another change holds it). @see RFC 7592 §2.2
 */
export function updateClient(
  authenticated: RegistrationRecord,
  body: unknown,
  context: RegistrationContext,
) {
  return exclusively(authenticated.clientId, context, async () =>
    replaceClient(await currentRecord(authenticated, context), body, context),
  );
}

async function replaceClient(
  record: RegistrationRecord,
  body: unknown,
  context: RegistrationContext,
) {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new OAuthError("invalid_client_metadata", "the request body must be a JSON object");
  const doc = body as Record<string, unknown>;
  if (doc.client_id !== record.clientId)
    throw new OAuthError("invalid_request", '"client_id" must equal the client being updated');
  for (const field of READ_ONLY_FIELDS)
    if (field in doc) throw new OAuthError("invalid_request", `"${field}" must not be sent`);
  const metadata: ClientMetadata = parseClientMetadata(doc, context.policy);
  const wasPublic = record.metadata.tokenEndpointAuthMethod === "none";
  if (wasPublic !== (metadata.tokenEndpointAuthMethod === "none"))
    throw new OAuthError(
      "invalid_client_metadata",
      '"token_endpoint_auth_method" cannot change between "none" and a secret-based method',
    );
  if (doc.client_secret !== undefined)
    await assertCurrentSecret(record, doc.client_secret, context);
  if (record.sharedAppClient) {
    // Nothing to tell Cognito: the next sign-in finds the app client of the new metadata's group.
    const next: RegistrationRecord = {
      ...record,
      metadata,
      lastUsedAt: Math.floor(context.now() / 1000),
    };
    try {
      await writeRegistration(context.kv, next);
    } catch (error) {
      console.error(
        JSON.stringify({
          event: "update_not_stored",
          clientId: record.clientId,
          error: String(error),
        }),
      );
      throw new OAuthError("server_error", "the client could not be updated; retry later", 500);
    }
    return toRegistrationResponse(next, context.issuer, {});
  }
  const cognitoClientName = toCognitoClientName(metadata.clientName);
  const callbackUrl = relayCallbackUrl(context.issuer);
  let updated: Awaited<ReturnType<typeof updateUserPoolClient>>;
  try {
    updated = await updateUserPoolClient(
      record.clientId,
      toCognitoClientConfig(metadata, cognitoClientName, callbackUrl, context.policy),
      context.cognito,
    );
  } catch (error) {
    if (isNotFound(error)) throw await forgetVanished(record, context);
    throw error;
  }
  const next: RegistrationRecord = {
    ...record,
    metadata,
    cognitoClientName,
    lastUsedAt: Math.floor(context.now() / 1000),
    relayCallbackUrl: callbackUrl,
  };
  try {
    await writeRegistration(context.kv, next);
  } catch (error) {
    await restoreConfig(record, context, String(error));
    throw new OAuthError("server_error", "the client could not be updated; retry later", 500);
  }
  return toRegistrationResponse(next, context.issuer, { clientSecret: updated.ClientSecret });
}

/** When the record of an update cannot be written, gives Cognito back the configuration it had. */
async function restoreConfig(
  record: RegistrationRecord,
  context: RegistrationContext,
  reason: string,
) {
  console.error(
    JSON.stringify({ event: "update_compensation", clientId: record.clientId, reason }),
  );
  try {
    await updateUserPoolClient(
      record.clientId,
      toCognitoClientConfig(
        record.metadata,
        record.cognitoClientName ?? toCognitoClientName(record.metadata.clientName),
        record.relayCallbackUrl ?? relayCallbackUrl(context.issuer),
        context.policy,
      ),
      context.cognito,
    );
  } catch (error) {
    console.error(
      JSON.stringify({
        event: "update_compensation_failed",
        clientId: record.clientId,
        error: String(error),
      }),
    );
  }
}

/** A `client_secret` sent with an update must be the current one. @see RFC 7592 §2.2 */
async function assertCurrentSecret(
  record: RegistrationRecord,
  sent: unknown,
  context: RegistrationContext,
): Promise<void> {
  if (record.sharedAppClient) {
    const ok =
      typeof sent === "string" &&
      record.clientSecretHash !== undefined &&
      (await matchesHash(sent, record.clientSecretHash));
    if (!ok) throw new OAuthError("invalid_request", '"client_secret" is not the current secret');
    return;
  }
  let current: string | undefined;
  try {
    current = (await describeUserPoolClient(record.clientId, context.cognito)).ClientSecret;
  } catch (error) {
    if (isNotFound(error)) throw await forgetVanished(record, context);
    throw error;
  }
  const ok =
    typeof sent === "string" &&
    current !== undefined &&
    (await matchesHash(sent, await sha256Hex(current)));
  if (!ok) throw new OAuthError("invalid_request", '"client_secret" is not the current secret');
}

/** Deletes the record, the use marker, and leaves the tombstone workers/mcp-rs reads. */
export async function removeRegistration(clientId: string, kv: KVNamespace, nowMs: number) {
  const revocation: ClientRevocation = { clientId, revokedAt: Math.floor(nowMs / 1000) };
  await kv.put(revokedClientKey(clientId), JSON.stringify(revocation), {
    expirationTtl: REVOCATION_TTL_SECONDS,
  });
  await kv.delete(clientKey(clientId));
  await kv.delete(clientSeenKey(clientId));
}

/**
 * RFC 7592 delete, under the client's lock (409 while another change holds it): its own Cognito
 * app client first, if it has one, then the record, leaving the tombstone. A shared registration's
 * refresh tokens are refused from then on (`/token` finds no record), and mcp-rs refuses its
 * access tokens once it reads the tombstone. @see RFC 7592 §2.3
 */
export async function deleteClient(
  authenticated: RegistrationRecord,
  context: RegistrationContext,
) {
  await exclusively(authenticated.clientId, context, async () => {
    const record = await currentRecord(authenticated, context);
    if (!record.sharedAppClient) await deleteUserPoolClient(record.clientId, context.cognito);
    await removeRegistration(record.clientId, context.kv, context.now());
  });
}
