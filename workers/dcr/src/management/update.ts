import { isJsonObject, logEvent, OAuthError } from "@mcp-cognito-workers/http";
import { describeUserPoolClient, updateUserPoolClient } from "../cognito/operations";
import {
  type ClientMetadata,
  parseClientMetadata,
  toCognitoClientName,
} from "../registration/client-metadata";
import {
  relayCallbackUrl,
  toCognitoClientConfig,
  toRecordCognitoConfig,
} from "../registration/cognito-config";
import type { RegistrationContext } from "../registration/context";
import { exclusively } from "../registration/locks";
import { isNotFound } from "../registration/remove";
import { toRegistrationResponse } from "../registration/response";
import { matchesHash, sha256Hex } from "../registration/secrets";
import { type RegistrationRecord, writeRegistration } from "../storage/records";
import { currentRecord, forgetVanished } from "./authenticate";

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
  if (!isJsonObject(body))
    throw new OAuthError("invalid_client_metadata", "the request body must be a JSON object");
  const doc = body;
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
      logEvent("error", "update_not_stored", { clientId: record.clientId, error: String(error) });
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
  logEvent("error", "update_compensation", { clientId: record.clientId, reason });
  try {
    await updateUserPoolClient(
      record.clientId,
      toRecordCognitoConfig(
        record,
        record.relayCallbackUrl ?? relayCallbackUrl(context.issuer),
        context.policy,
      ),
      context.cognito,
    );
  } catch (error) {
    logEvent("error", "update_compensation_failed", {
      clientId: record.clientId,
      error: String(error),
    });
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
