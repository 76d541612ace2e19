// POST /token: the client's grant checked here, relayed to Cognito through the app client that
// serves it, and the refresh token sealed on the way back. @see RFC 6749 §4.1.3, §6

import { logEvent, OAuthError } from "@mcp-cognito-workers/http";
import type { AppClientRef } from "../app-clients/shared";
import { relayCallbackUrl } from "../registration/cognito-config";
import type { RegistrationContext } from "../registration/context";
import { isTokenUseDue } from "../registration/use-records";
import { recordCimdTokenUse, sharedAppClientFor } from "./clients";
import {
  buildTokenResponse,
  cognitoOAuthRequest,
  processCognitoTokenResponse,
} from "./cognito-oauth";
import { type AppContext, type FrontDoorDependencies, sealOptionsOf } from "./dependencies";
import {
  GRANT_REWRITE_INTERVAL_SECONDS,
  readOriginJti,
  type SealedRefreshToken,
  sealRefreshToken,
  writeGrant,
} from "./grants";
import { credentialsFor, readRelayRequest, refreshGrant } from "./relay-request";
import { openValue } from "./seal";
import { fromSealed, type RelayedCode, toSealed } from "./transaction";

/** `POST /token`: the code, refresh token and client credentials grants, relayed to Cognito. */
export function tokenHandler(deps: FrontDoorDependencies) {
  return async (c: AppContext): Promise<Response> => {
    const { config, context } = deps.contextOf(c.env, c.req.raw);
    const { form, presented, found } = await readRelayRequest(c, config, context);
    // First: without Cognito's endpoints nothing can be relayed, whatever the grant (503).
    const discovery = await deps.getDiscovery(config.cognito.issuer);
    const upstream = new URLSearchParams();
    const grantType = form.get("grant_type");
    if (grantType === undefined)
      throw new OAuthError("invalid_request", '"grant_type" is required');
    let ref: AppClientRef;
    let previous: SealedRefreshToken | undefined;
    if (grantType === "authorization_code") {
      const sealed = form.get("code");
      if (!sealed) throw new OAuthError("invalid_request", '"code" is required');
      const verifier = form.get("code_verifier");
      if (!verifier) throw new OAuthError("invalid_request", '"code_verifier" is required');
      const relayed = await openValue<RelayedCode>("code", sealed, sealOptionsOf(deps, config));
      if (!relayed)
        throw new OAuthError(
          "invalid_grant",
          "the code is invalid, expired, or was not issued by this server",
        );
      if (relayed.clientId !== presented.clientId)
        throw new OAuthError("invalid_grant", "the code was issued to another client");
      const redirectUri = form.get("redirect_uri");
      const redirectOk = relayed.redirectUriGiven
        ? redirectUri === relayed.redirectUri
        : redirectUri === undefined || redirectUri === relayed.redirectUri;
      if (!redirectOk)
        throw new OAuthError(
          "invalid_grant",
          '"redirect_uri" does not match the authorization request',
        );
      ref = fromSealed(relayed);
      upstream.set("grant_type", "authorization_code");
      upstream.set("code", relayed.code);
      upstream.set("redirect_uri", relayCallbackUrl(context.issuer));
      upstream.set("code_verifier", verifier);
    } else if (grantType === "refresh_token") {
      const refreshToken = form.get("refresh_token");
      if (!refreshToken) throw new OAuthError("invalid_request", '"refresh_token" is required');
      const grant = await refreshGrant(deps, config, found, presented, refreshToken);
      ref = grant.ref;
      previous = grant.sealed;
      upstream.set("grant_type", "refresh_token");
      upstream.set("refresh_token", grant.token);
    } else if (grantType === "client_credentials") {
      if (!found.client.grantTypes.includes("client_credentials") || found.kind !== "dcr")
        throw new OAuthError(
          "unauthorized_client",
          "this client is not registered for client_credentials",
        );
      const scope = form.get("scope");
      const registered = found.record.metadata.scope.split(" ");
      const asked = scope ? scope.split(" ").filter((s) => s !== "") : registered;
      const refused = asked.find((s) => !registered.includes(s));
      if (refused !== undefined)
        throw new OAuthError(
          "invalid_scope",
          `the scope ${JSON.stringify(refused.slice(0, 64))} is not allowed for this client`,
        );
      if (found.record.sharedAppClient) {
        const shared = await sharedAppClientFor(
          found.record.metadata,
          found.record.clientId,
          context,
        );
        ref = { clientId: shared.clientId, group: shared.group, slot: shared.slot };
        // Always named: a shared app client holds every scope of its group, which is this
        // registration's, but never ask Cognito for more than the registration may have.
        upstream.set("scope", asked.join(" "));
      } else {
        ref = { clientId: found.record.clientId };
        if (scope) upstream.set("scope", scope);
      }
      upstream.set("grant_type", "client_credentials");
    } else {
      throw new OAuthError(
        "unsupported_grant_type",
        `grant_type ${JSON.stringify(grantType.slice(0, 64))} is not supported`,
      );
    }
    const credentials = await credentialsFor(context, found, presented, ref);
    const body = await processCognitoTokenResponse(
      await cognitoOAuthRequest(discovery.token_endpoint, upstream, credentials, deps.fetch),
    );
    const isSharedRegistration = found.kind === "dcr" && found.record.sharedAppClient === true;
    // A code grant always brings a refresh token; a refresh brings one when the app client rotates.
    const refreshToken = typeof body.refresh_token === "string" ? body.refresh_token : undefined;
    const grant = isSharedRegistration
      ? await recordGrant(
          context,
          presented.clientId,
          body.access_token,
          previous,
          refreshToken !== undefined,
        )
      : {};
    if (refreshToken !== undefined)
      body.refresh_token = await sealRefreshToken(
        presented.clientId,
        { refreshToken, ...toSealed(ref), ...grant },
        sealOptionsOf(deps, config),
      );
    // The record just read says whether the use is due: most token requests write nothing.
    if (found.kind === "dcr" && isTokenUseDue(found.record, Math.floor(context.now() / 1000)))
      await deps.recordTokenUse(context, found.client.clientId);
    if (found.kind === "cimd") await recordCimdTokenUse(found.cimd, context);
    return buildTokenResponse(body);
  };
}

/**
 * Writes the grant record of a shared registration's sign-in (its `origin_jti`), so that mcp-rs
 * refuses its access tokens once the registration is deleted: at the first tokens of a sign-in,
 * when Cognito starts another, or when a rotated refresh token outlives the last write by a day
 * (one that is not rotated dies, 30 days after the sign-in, before the record does). A failed
 * write is logged; the tokens still expire within ACCESS_TOKEN_MINUTES.
 */
export async function recordGrant(
  context: RegistrationContext,
  clientId: string,
  accessToken: string,
  previous: SealedRefreshToken | undefined,
  rotated: boolean,
): Promise<Pick<SealedRefreshToken, "originJti" | "grantWrittenAt">> {
  const originJti = readOriginJti(accessToken);
  if (originJti === undefined) return {};
  const nowSeconds = Math.floor(context.now() / 1000);
  const writtenAt = previous?.originJti === originJti ? previous.grantWrittenAt : undefined;
  if (
    writtenAt !== undefined &&
    (!rotated || nowSeconds - writtenAt < GRANT_REWRITE_INTERVAL_SECONDS)
  )
    return { originJti, grantWrittenAt: writtenAt };
  try {
    await writeGrant(context.kv, originJti, clientId, context.now());
    return { originJti, grantWrittenAt: nowSeconds };
  } catch (error) {
    logEvent("error", "grant_not_recorded", { clientId, error: String(error) });
    return writtenAt !== undefined ? { originJti, grantWrittenAt: writtenAt } : {};
  }
}
