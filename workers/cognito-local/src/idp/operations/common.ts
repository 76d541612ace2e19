import type { PoolServices } from "../../pool-services";
import type { UserPoolClient } from "../../store/records";
import { CLIENT_MESSAGES } from "../client-config";
import { CognitoError } from "../cognito-error";

/** An operation of the IdP API: its JSON input (an object) in, its JSON output out. */
export type Operation = (
  input: Record<string, unknown>,
  pool: PoolServices,
) => unknown | Promise<unknown>;

/** Throws `ResourceNotFoundException` unless the id is the stand-in's pool. */
export function assertUserPool(pool: Pick<PoolServices, "config">, userPoolId: string): void {
  if (userPoolId !== pool.config.userPoolId) {
    throw new CognitoError("ResourceNotFoundException", CLIENT_MESSAGES.poolNotFound(userPoolId));
  }
}

/** The app client, or `ResourceNotFoundException` as Cognito words it. */
export function requireClient(pool: Pick<PoolServices, "store">, clientId: string): UserPoolClient {
  const client = pool.store.getClient(clientId);
  if (client === undefined) {
    throw new CognitoError(
      "ResourceNotFoundException",
      `User pool client ${clientId} does not exist.`,
    );
  }
  return client;
}

/** Epoch seconds with a fraction, the IdP API's timestamp format. */
export function toEpochSeconds(ms: number): number {
  return ms / 1000;
}
