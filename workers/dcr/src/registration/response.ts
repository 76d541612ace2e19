import type { RegistrationRecord } from "../storage/records";
import { toWireMetadata } from "./client-metadata";

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
