import type * as oauth from "oauth4webapi";
import { type BearerChallenge, parseBearerChallenge } from "./challenge";
import {
  discoverAuthorizationServer,
  discoverProtectedResource,
  type ProtectedResource,
} from "./discovery";
import { OAuthClientError } from "./errors";
import { assertSafeUrl, type OAuthHttpOptions } from "./http";
import { selectScopes } from "./scopes";

/** Everything discovery learns before registering: where to authorize, for which resource. */
export interface DiscoveredServer {
  challenge: BearerChallenge;
  protectedResource: ProtectedResource;
  authorizationServer: oauth.AuthorizationServer;
  /** The scopes to request first (challenge, else `scopes_supported`, else none). */
  scopes: string[];
}

/** A JSON-RPC `initialize` without a token: the request an MCP client starts with. */
export function buildProbeRequest(serverUrl: URL): Request {
  return new Request(serverUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "probe", version: "0" },
      },
    }),
  });
}

/**
 * Calls the MCP server without a token and follows its 401: challenge → protected-resource
 * metadata → the first authorization server's metadata.
 * @see MCP authorization 2025-11-25 "Authorization Server Discovery"
 */
export async function discoverFromServer(
  serverUrl: URL,
  options: OAuthHttpOptions = {},
): Promise<DiscoveredServer> {
  assertSafeUrl(serverUrl, "the MCP server");
  const response = await (options.fetch ?? fetch)(buildProbeRequest(serverUrl));
  await response.body?.cancel();
  const challenge = response.status === 401 ? await parseBearerChallenge(response) : undefined;
  options.trace?.({
    step: "MCP request without a token",
    url: serverUrl.href,
    status: response.status,
    fields: {
      resource_metadata: challenge?.resourceMetadata ?? "(absent)",
      scope: challenge?.scope ?? "(absent)",
    },
  });
  if (response.status !== 401) {
    throw new OAuthClientError(
      "no_challenge",
      `expected 401 from ${serverUrl.href}, got ${response.status}`,
    );
  }
  return discoverFromChallenge(serverUrl, challenge ?? {}, options);
}

/**
 * Follows a 401's challenge (however it was obtained): protected-resource metadata → the first
 * authorization server's metadata → the first scopes.
 */
export async function discoverFromChallenge(
  serverUrl: URL,
  challenge: BearerChallenge,
  options: OAuthHttpOptions = {},
): Promise<DiscoveredServer> {
  const protectedResource = await discoverProtectedResource(
    serverUrl,
    challenge.resourceMetadata,
    options,
  );
  const issuer = protectedResource.authorizationServers[0] as string;
  const authorizationServer = await discoverAuthorizationServer(issuer, options);
  return {
    challenge,
    protectedResource,
    authorizationServer,
    scopes: selectScopes(challenge.scope, protectedResource.scopesSupported),
  };
}
