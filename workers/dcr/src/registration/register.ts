// RFC 7591 §3.1: a registration, stored under a client id the facade mints.
import { logEvent, OAuthError, randomToken } from "@mcp-cognito-workers/http";
import { type RegistrationRecord, writeRegistration } from "../storage/records";
import { parseClientMetadata } from "./client-metadata";
import type { RegistrationContext } from "./context";
import {
  CLIENT_SECRET_BYTES,
  mintClientId,
  REGISTRATION_ACCESS_TOKEN_BYTES,
  sha256Hex,
} from "./secrets";

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
  const clientSecret = confidential ? randomToken(CLIENT_SECRET_BYTES) : undefined;
  const registrationAccessToken = randomToken(REGISTRATION_ACCESS_TOKEN_BYTES);
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
    logEvent("error", "register_not_stored", { clientId: record.clientId, error: String(error) });
    throw new OAuthError("server_error", "the client could not be registered; retry later", 500);
  }
  return {
    record,
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    registrationAccessToken,
  };
}
