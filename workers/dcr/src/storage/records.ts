import type { ClientMetadata } from "../registration/client-metadata";
import { cimdClientKey, clientKey } from "./keys";

/** A registration as stored under `client:<clientId>`; never holds a secret. */
export interface RegistrationRecord {
  clientId: string;
  /** Hex SHA-256 of the registration access token. */
  registrationAccessTokenHash: string;
  metadata: ClientMetadata;
  /** Cognito's ClientName. */
  cognitoClientName: string;
  /** Epoch seconds. */
  clientIdIssuedAt: number;
  /** Epoch seconds of the last recorded use (registration, RFC 7592 call, token). */
  lastUsedAt: number;
  /**
   * Epoch seconds of the last time `/token` issued tokens to the client, written at most once a
   * day; 0 while it never has; absent on records made before this was recorded.
   */
  tokenIssuedAt?: number;
  /**
   * The one callback URL the Cognito app client holds: the front door's. Absent on records made
   * before the front door; such a client is moved over on first use or by the reconciliation.
   */
  relayCallbackUrl?: string;
}

/** Kept in KV list metadata, so that the cleanup reads no values. */
export interface RegistrationListMetadata {
  lastUsedAt: number;
  clientIdIssuedAt: number;
  /** The record's `tokenIssuedAt`, so that the cleanup finds registrations never used. */
  tokenIssuedAt?: number;
  /** The record's `relayCallbackUrl`, so that the reconciliation finds clients to move over. */
  relayCallbackUrl?: string;
}

/** Reads a registration; undefined when absent. */
export async function readRegistration(
  kv: KVNamespace,
  clientId: string,
): Promise<RegistrationRecord | undefined> {
  return (await kv.get<RegistrationRecord>(clientKey(clientId), "json")) ?? undefined;
}

/** Writes a registration with its list metadata. */
export async function writeRegistration(
  kv: KVNamespace,
  record: RegistrationRecord,
): Promise<void> {
  const metadata: RegistrationListMetadata = {
    lastUsedAt: record.lastUsedAt,
    clientIdIssuedAt: record.clientIdIssuedAt,
    ...(record.tokenIssuedAt !== undefined ? { tokenIssuedAt: record.tokenIssuedAt } : {}),
    ...(record.relayCallbackUrl !== undefined ? { relayCallbackUrl: record.relayCallbackUrl } : {}),
  };
  await kv.put(clientKey(record.clientId), JSON.stringify(record), { metadata });
}

/** The Cognito app client that serves one CIMD URL, under `cimd-client:<hex sha256(url)>`. */
export interface CimdClientRecord {
  url: string;
  cognitoClientId: string;
  cognitoClientName: string;
  /** The scopes the app client holds (from the document and the policy). */
  scope: string;
  relayCallbackUrl: string;
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds of the last recorded use. */
  lastUsedAt: number;
}

/** Kept in KV list metadata of a CIMD client record, for the reconciliation. */
export interface CimdClientListMetadata {
  cognitoClientId: string;
  createdAt: number;
  lastUsedAt: number;
}

/** Reads the record of a CIMD URL's app client; undefined when absent. */
export async function readCimdClient(
  kv: KVNamespace,
  urlHashHex: string,
): Promise<CimdClientRecord | undefined> {
  return (await kv.get<CimdClientRecord>(cimdClientKey(urlHashHex), "json")) ?? undefined;
}

/** Writes the record of a CIMD URL's app client with its list metadata. */
export async function writeCimdClient(
  kv: KVNamespace,
  urlHashHex: string,
  record: CimdClientRecord,
): Promise<void> {
  const metadata: CimdClientListMetadata = {
    cognitoClientId: record.cognitoClientId,
    createdAt: record.createdAt,
    lastUsedAt: record.lastUsedAt,
  };
  await kv.put(cimdClientKey(urlHashHex), JSON.stringify(record), { metadata });
}
