// What each flow talks to: the static flow's Cognito and pre-registered client, the discovery
// flow's credentials (its Client ID Metadata Document URL, or the stored DCR registration).

import type * as oauth from "oauth4webapi";
import type { AppDeps } from "../app-env";
import type { ClientConfig } from "../config";
import { type ClientRegistration, discoverAuthorizationServer } from "../oauth";
import { createKvRegistrationStore } from "../session/registrations";

/** Where the client serves its Client ID Metadata Document. */
export const CLIENT_METADATA_PATH = "/oauth/client-metadata.json";

/** The static flow's authorization server: Cognito, whose OIDC document omits PKCE methods. */
export function discoverStatic(
  config: ClientConfig,
  deps: Pick<AppDeps, "net">,
): Promise<oauth.AuthorizationServer> {
  return discoverAuthorizationServer(config.cognitoIssuer, { ...deps.net, assumePkceS256: true });
}

/** The static flow's credentials: the confidential Cognito app client registered in advance. */
export function buildStaticRegistration(config: ClientConfig): ClientRegistration {
  return {
    issuer: config.cognitoIssuer,
    clientId: config.staticClientId,
    clientSecret: config.staticClientSecret,
    tokenEndpointAuthMethod: "client_secret_post",
  };
}

/** Where this client serves its Client ID Metadata Document (only on https, as CIMD requires). */
export function buildClientMetadataUrl(config: ClientConfig): string | undefined {
  const origin = new URL(config.redirectUri);
  return origin.protocol === "https:" ? new URL(CLIENT_METADATA_PATH, origin).href : undefined;
}

/** The discovery flow's credentials at `issuer` for `clientId`: its CIMD URL or the stored DCR. */
export async function findDiscoveryRegistration(
  env: Env,
  config: ClientConfig,
  signIn: { issuer: string; clientId: string },
): Promise<ClientRegistration | undefined> {
  const { issuer, clientId } = signIn;
  if (clientId === buildClientMetadataUrl(config)) {
    return { issuer, clientId, tokenEndpointAuthMethod: "none" };
  }
  const stored = await createKvRegistrationStore(env).get(issuer);
  return stored?.clientId === clientId ? stored : undefined;
}
