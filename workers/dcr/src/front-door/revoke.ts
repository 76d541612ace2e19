import { OAuthError } from "@mcp-cognito-workers/http";
import {
  type CognitoClientCredentials,
  cognitoOAuthRequest,
  processCognitoRevocationResponse,
} from "./cognito-oauth";
import type { AppContext, FrontDoorDependencies } from "./dependencies";
import { credentialsFor, readRelayRequest, refreshGrant } from "./relay-request";

/** `POST /revoke`: a refresh token revoked at Cognito; an invalid one needs none. @see RFC 7009 */
export function revokeHandler(deps: FrontDoorDependencies) {
  return async (c: AppContext): Promise<Response> => {
    const { config, context } = deps.contextOf(c.env, c.req.raw);
    const { form, presented, found } = await readRelayRequest(c, config, context);
    const token = form.get("token");
    if (!token) throw new OAuthError("invalid_request", '"token" is required');
    const discovery = await deps.getDiscovery(config.cognito.issuer);
    if (!discovery.revocation_endpoint)
      throw new OAuthError("temporarily_unavailable", "revocation is not available", 503);
    let grant: Awaited<ReturnType<typeof refreshGrant>>;
    let credentials: CognitoClientCredentials;
    try {
      grant = await refreshGrant(deps, config, found, presented, token);
      credentials = await credentialsFor(context, found, presented, grant.ref);
    } catch (error) {
      // RFC 7009 §2.2: a token that is invalid (or not this client's) needs no revocation.
      if (error instanceof OAuthError && error.code === "invalid_grant")
        return new Response(null, { status: 200, headers: { "Cache-Control": "no-store" } });
      throw error;
    }
    return processCognitoRevocationResponse(
      await cognitoOAuthRequest(
        discovery.revocation_endpoint,
        new URLSearchParams({ token: grant.token }),
        credentials,
        deps.fetch,
      ),
    );
  };
}
