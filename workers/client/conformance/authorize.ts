// Signing in headlessly: registration (pre-registered, CIMD or DCR) at the discovered
// authorization server, then the authorization request whose redirect carries the code.

import type * as oauth from "oauth4webapi";
import {
  buildAuthorizationRequest,
  type ClientRegistration,
  createMemoryRegistrationStore,
  type DiscoveredServer,
  getOrRegisterClient,
  processCallback,
  type StepUpState,
  type TokenSet,
  withOfflineAccess,
} from "../src/oauth";
import { fetchOnNewConnection, net } from "./net";
import { clientMetadataUrl, context, REDIRECT_URI } from "./options";

/** One store for the run, keyed by issuer: a new authorization server means a new registration. */
const registrations = createMemoryRegistrationStore();

function chooseAuthMethod(
  as: oauth.AuthorizationServer,
): ClientRegistration["tokenEndpointAuthMethod"] {
  const supported = as.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
  const methods = ["client_secret_basic", "client_secret_post", "none"] as const;
  return methods.find((method) => supported.includes(method)) ?? "client_secret_basic";
}

async function obtainRegistration(as: oauth.AuthorizationServer, scopes: string[]) {
  if (typeof context.client_id === "string") {
    const secret = typeof context.client_secret === "string" ? context.client_secret : undefined;
    const method = secret ? chooseAuthMethod(as) : "none";
    return {
      issuer: as.issuer,
      clientId: context.client_id,
      ...(secret ? { clientSecret: secret } : {}),
      tokenEndpointAuthMethod: method === "none" && secret ? "client_secret_basic" : method,
    } satisfies ClientRegistration;
  }
  // Client ID Metadata Document where the server supports it, else DCR (MCP registration order).
  const { registration } = await getOrRegisterClient(as, registrations, {
    ...net,
    clientName: "mcp-cognito-workers conformance adapter",
    redirectUris: [REDIRECT_URI],
    applicationType: "native",
    tokenEndpointAuthMethod: chooseAuthMethod(as),
    ...(scopes.length ? { scope: scopes.join(" ") } : {}),
    ...(clientMetadataUrl ? { clientMetadataUrl } : {}),
  });
  return registration;
}

/** Where this run is signed in: one authorization server, one client there, the scopes asked. */
export interface SignedIn {
  as: oauth.AuthorizationServer;
  registration: ClientRegistration;
  resource: string;
  stepUp: StepUpState;
  tokens: TokenSet;
}

export async function signIn(session: Omit<SignedIn, "tokens">): Promise<TokenSet> {
  const { as, registration, resource, stepUp } = session;
  const request = await buildAuthorizationRequest(as, registration, {
    redirectUri: REDIRECT_URI,
    resource,
    scopes: withOfflineAccess(stepUp.requested, as.scopes_supported),
  });
  const response = await fetchOnNewConnection(request.url, { redirect: "manual" });
  const location = response.headers.get("location");
  if (!location) throw new Error(`authorization endpoint answered ${response.status}`);
  return processCallback(as, registration, request.pending, new URL(location, request.url), net);
}

/** Registers (or not) at the discovered authorization server and signs in there. */
export async function authorize(discovered: DiscoveredServer): Promise<SignedIn> {
  const as = discovered.authorizationServer;
  const session = {
    as,
    registration: await obtainRegistration(as, discovered.scopes),
    resource: discovered.protectedResource.resource,
    stepUp: { requested: discovered.scopes, attempts: 0 },
  };
  return { ...session, tokens: await signIn(session) };
}
