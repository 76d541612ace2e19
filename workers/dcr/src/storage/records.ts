import type { ClientMetadata } from "../registration/client-metadata";
import { cimdClientKey, clientKey } from "./keys";

/**
 * A registration as stored under `client:<clientId>`; never holds a secret, only hashes.
 *
 * Two shapes: a registration made since app clients are shared (`sharedAppClient: true`) has a
 * client id minted by the facade and is served by a shared app client of its group; one made
 * before has its own Cognito app client, whose id is its client id.
 */
export interface RegistrationRecord {
  clientId: string;
  /** Hex SHA-256 of the registration access token. */
  registrationAccessTokenHash: string;
  metadata: ClientMetadata;
  /** Cognito's ClientName of its own app client (records made before app clients were shared). */
  cognitoClientName?: string;
  /** Served by a shared app client of its group; absent: it has its own app client. */
  sharedAppClient?: true;
  /** Hex SHA-256 of the client secret the facade issued (a confidential, shared registration). */
  clientSecretHash?: string;
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
  /** The record's `sharedAppClient`: no app client of its own to reconcile with Cognito. */
  sharedAppClient?: true;
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
    ...(record.sharedAppClient ? { sharedAppClient: true as const } : {}),
  };
  await kv.put(clientKey(record.clientId), JSON.stringify(record), { metadata });
}

/**
 * A CIMD URL that has been through `/authorize`, under `cimd-client:<hex sha256(url)>`. Since app
 * clients are shared it is served by the shared public app clients; a record made before holds
 * the URL's own app client (`cognitoClientId`), kept for the refresh tokens it issued.
 */
export interface CimdClientRecord {
  url: string;
  /** The URL's own app client (records made before app clients were shared). */
  cognitoClientId?: string;
  cognitoClientName?: string;
  /** The scopes approved from the document (after the policy). */
  scope: string;
  relayCallbackUrl?: string;
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds of the last recorded use. */
  lastUsedAt: number;
}

/** Kept in KV list metadata of a CIMD client record, for the reconciliation. */
export interface CimdClientListMetadata {
  /** Absent when the URL is served by the shared app clients. */
  cognitoClientId?: string;
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
    ...(record.cognitoClientId !== undefined ? { cognitoClientId: record.cognitoClientId } : {}),
    createdAt: record.createdAt,
    lastUsedAt: record.lastUsedAt,
  };
  await kv.put(cimdClientKey(urlHashHex), JSON.stringify(record), { metadata });
}
