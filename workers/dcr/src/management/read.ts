import { describeUserPoolClient } from "../cognito/operations";
import type { RegistrationContext } from "../registration/context";
import { isNotFound } from "../registration/remove";
import { toRegistrationResponse } from "../registration/response";
import { recordUse } from "../registration/use-records";
import type { RegistrationRecord } from "../storage/records";
import { forgetVanished } from "./authenticate";

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
