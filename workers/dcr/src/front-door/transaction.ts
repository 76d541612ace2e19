// A transaction (one authorization request, sealed, bound to the browser that started it), and the
// code relayed back to the client.
import type { AppClientRef } from "../app-clients/shared";
import { matchesHash } from "../registration/secrets";
import type { AuthorizationRequest } from "./authorize-request";
import { refreshTokenAppClient } from "./grants";

/** The app client a sealed value names: its id, and its group and slot when it is shared. */
export interface SealedAppClient {
  cognitoClientId: string;
  appClientGroup?: string;
  appClientSlot?: number;
}

/** A transaction: the client's request, bound to a browser by the hash of a one-time cookie. */
export interface Transaction extends AuthorizationRequest, Partial<SealedAppClient> {
  id: string;
  /** Hex SHA-256 of the binding cookie's value. */
  binding: string;
}

/** What a relayed code carries: Cognito's code, whom it was issued to, and through which app client. */
export interface RelayedCode extends SealedAppClient {
  code: string;
  clientId: string;
  redirectUri: string;
  redirectUriGiven: boolean;
}

/** The sealed form of an app client. */
export function toSealed(ref: AppClientRef): SealedAppClient {
  return {
    cognitoClientId: ref.clientId,
    ...(ref.group !== undefined && ref.slot !== undefined
      ? { appClientGroup: ref.group, appClientSlot: ref.slot }
      : {}),
  };
}

/** The app client a sealed value names. */
export function fromSealed(sealed: SealedAppClient): AppClientRef {
  return refreshTokenAppClient({ refreshToken: "", ...sealed });
}

/** Whether this browser sent the cookie the transaction was bound to (compared in constant time). */
export function isBoundToThisBrowser(
  cookie: string | undefined,
  tx: Transaction,
): Promise<boolean> {
  return cookie === undefined ? Promise.resolve(false) : matchesHash(cookie, tx.binding);
}
