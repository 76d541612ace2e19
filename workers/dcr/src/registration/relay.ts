import { OAuthError } from "@mcp-cognito-workers/http";
import { updateUserPoolClient } from "../cognito/operations";
import { type RegistrationRecord, readRegistration, writeRegistration } from "../storage/records";
import { audit } from "./abuse";
import { relayCallbackUrl, toRecordCognitoConfig } from "./cognito-config";
import type { RegistrationContext } from "./context";
import { exclusively } from "./locks";
import { isNotFound, removeRegistration } from "./remove";

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
          toRecordCognitoConfig(current, callbackUrl, context.policy),
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
