import type { ClientMetadata } from "../registration/client-metadata";
import { clientKey } from "./keys";

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
  /** Epoch seconds of the last recorded use (registration, RFC 7592 call). */
  lastUsedAt: number;
}

/** Kept in KV list metadata, so that the cleanup reads no values. */
export interface RegistrationListMetadata {
  lastUsedAt: number;
  clientIdIssuedAt: number;
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
  };
  await kv.put(clientKey(record.clientId), JSON.stringify(record), { metadata });
}
