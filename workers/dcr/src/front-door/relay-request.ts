// What the token and revocation endpoints share: the client a request authenticates as, and the
// app client and credentials to relay its grant with.

import { OAuthError } from "@mcp-cognito-workers/http";
import type { AppClientRef } from "../app-clients/shared";
import type { Config } from "../config";
import type { RegistrationContext } from "../registration/context";
import { matchesHash } from "../registration/secrets";
import {
  assertRegisteredMethod,
  invalidClient,
  type PresentedClient,
  readPresentedClient,
} from "./client-auth";
import { findRelayClient, type RelayClient } from "./clients";
import type { CognitoClientCredentials } from "./cognito-oauth";
import { type AppContext, type FrontDoorDependencies, sealOptionsOf } from "./dependencies";
import { openRefreshToken, refreshTokenAppClient, type SealedRefreshToken } from "./grants";
import { MAX_FORM_BYTES, readForm } from "./http";

/**
 * The form of a token or revocation request and the client it authenticates as: one it knows,
 * using the method it registered. A registration served by a shared app client is
 * authenticated here, against the hash of the secret the facade issued it; one with its own app
 * client is authenticated by Cognito, which holds its secret.
 */
export async function readRelayRequest(
  c: AppContext,
  config: Config,
  context: RegistrationContext,
) {
  const form = await readForm(c.req.raw, MAX_FORM_BYTES);
  const presented = readPresentedClient(c.req.header("authorization"), form);
  const found = await findRelayClient(presented.clientId, context.kv, config.frontDoor);
  if (!found) throw invalidClient("the client is not known to this server");
  assertRegisteredMethod(presented, found.client.tokenEndpointAuthMethod);
  if (found.kind === "dcr" && found.record.sharedAppClient && presented.method !== "none") {
    const hash = found.record.clientSecretHash;
    const ok =
      hash !== undefined &&
      presented.clientSecret !== undefined &&
      (await matchesHash(presented.clientSecret, hash));
    if (!ok) throw invalidClient("client authentication failed");
  }
  return { form, presented, found };
}

/** The id of a client's own app client, if it has one (made before app clients were shared). */
export function ownAppClientOf(found: RelayClient): string | undefined {
  return found.kind === "dcr"
    ? found.record.sharedAppClient
      ? undefined
      : found.record.clientId
    : found.cimd.cognitoClientId;
}

/**
 * The credentials to relay with as `ref`: a shared app client with its own secret (the client
 * authenticated to the facade already), or the client's own app client with the secret it
 * presented (Cognito checks it). A grant that names an app client its client cannot use, or a
 * shared one that is gone, is `invalid_grant`.
 */
export async function credentialsFor(
  context: RegistrationContext,
  found: RelayClient,
  presented: PresentedClient,
  ref: AppClientRef,
): Promise<CognitoClientCredentials> {
  if (ref.group === undefined || ref.slot === undefined) {
    if (ref.clientId !== ownAppClientOf(found))
      throw new OAuthError("invalid_grant", "the grant was issued to another client");
    return {
      clientId: ref.clientId,
      ...(presented.clientSecret !== undefined ? { clientSecret: presented.clientSecret } : {}),
    };
  }
  if (found.kind === "dcr" && !found.record.sharedAppClient)
    throw new OAuthError("invalid_grant", "the grant was issued to another client");
  const shared = await context.appClients.find({
    clientId: ref.clientId,
    group: ref.group,
    slot: ref.slot,
  });
  if (!shared)
    throw new OAuthError("invalid_grant", "the grant's app client no longer exists; sign in again");
  return {
    clientId: shared.clientId,
    ...(shared.clientSecret !== undefined ? { clientSecret: shared.clientSecret } : {}),
  };
}

/**
 * The app client of a refresh token: a sealed one names it; an unsealed one (issued before
 * refresh tokens were sealed) is accepted only from a client with its own app client, which
 * Cognito binds it to.
 */
export async function refreshGrant(
  deps: FrontDoorDependencies,
  config: Config,
  found: RelayClient,
  presented: PresentedClient,
  refreshToken: string,
): Promise<{ ref: AppClientRef; sealed?: SealedRefreshToken; token: string }> {
  const sealed = await openRefreshToken(
    presented.clientId,
    refreshToken,
    sealOptionsOf(deps, config),
  );
  if (sealed) return { ref: refreshTokenAppClient(sealed), sealed, token: sealed.refreshToken };
  const own = ownAppClientOf(found);
  if (own === undefined || /^[\w-]+\.[\w-]+$/.test(refreshToken))
    throw new OAuthError(
      "invalid_grant",
      "the refresh token is invalid, expired, or was issued to another client",
    );
  return { ref: { clientId: own }, token: refreshToken };
}
