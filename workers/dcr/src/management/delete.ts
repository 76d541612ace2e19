import { deleteUserPoolClient } from "../cognito/operations";
import type { RegistrationContext } from "../registration/context";
import { exclusively } from "../registration/locks";
import { removeRegistration } from "../registration/remove";
import type { RegistrationRecord } from "../storage/records";
import { currentRecord } from "./authenticate";

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
