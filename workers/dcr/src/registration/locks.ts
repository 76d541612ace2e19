import { OAuthError } from "@mcp-cognito-workers/http";
import type { RegistrationContext } from "./context";

/** The refusal of a change while another change to the same client is under way. */
export function clientBusyError(status: 409 | 503 = 409): OAuthError {
  return new OAuthError(
    "temporarily_unavailable",
    "another change to this client is in progress; retry",
    status,
    { headers: { "Retry-After": "1" } },
  );
}

/**
 * Runs `task` holding the client's lock, so that no other change to the registration (RFC 7592
 * update or delete, a use record, the cleanup) interleaves with it; refuses while another holds it.
 */
export async function exclusively<T>(
  clientId: string,
  context: RegistrationContext,
  task: () => Promise<T>,
  busyStatus: 409 | 503 = 409,
): Promise<T> {
  const outcome = await context.locks.run(clientId, task);
  if (!outcome.ran) throw clientBusyError(busyStatus);
  return outcome.value;
}
