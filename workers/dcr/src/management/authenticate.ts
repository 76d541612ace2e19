// RFC 7592 §3: who may manage a registration (its registration access token).
import { extractBearerToken } from "@mcp-cognito-workers/http";
import { invalidTokenError } from "../http/errors";
import { audit } from "../registration/abuse";
import type { RegistrationContext } from "../registration/context";
import { removeRegistration } from "../registration/remove";
import { isClientIdShape, matchesHash } from "../registration/secrets";
import { type RegistrationRecord, readRegistration } from "../storage/records";

// A hash no token has, so that an unknown client costs the same comparison as a known one.
const UNMATCHABLE_HASH = "0".repeat(64);

/** Finds the registration a registration access token manages; 401 otherwise. @see RFC 7592 §3 */
export async function authenticateRegistration(
  clientId: string,
  authorization: string | undefined,
  context: RegistrationContext,
): Promise<RegistrationRecord> {
  const token = extractBearerToken(authorization);
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

/**
 * The registration as stored now, read under its lock: the authenticated copy may predate a
 * change that finished meanwhile. Gone, or its token replaced: answered as a wrong token.
 */
export async function currentRecord(
  authenticated: RegistrationRecord,
  context: RegistrationContext,
): Promise<RegistrationRecord> {
  const current = await readRegistration(context.kv, authenticated.clientId);
  if (current?.registrationAccessTokenHash !== authenticated.registrationAccessTokenHash)
    throw invalidTokenError("the registration access token is invalid for this client");
  return current;
}

/** A Cognito client that vanished behind our back: forget it and answer as for an unknown client. */
export async function forgetVanished(record: RegistrationRecord, context: RegistrationContext) {
  await removeRegistration(record.clientId, context.kv, context.now());
  audit({ action: "forget", clientId: record.clientId, reason: "not in Cognito" });
  return invalidTokenError("the registration access token is invalid for this client");
}
