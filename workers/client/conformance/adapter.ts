/**
 * Command-line MCP client for the conformance suite's client auth scenarios, built on
 * src/oauth/: `node workers/client/conformance/adapter.mjs [--client-metadata-url <url>]
 * <server URL>`. Reads MCP_CONFORMANCE_SCENARIO and MCP_CONFORMANCE_CONTEXT; signs in
 * headlessly (the authorization URL is fetched with `redirect: "manual"` and the code taken
 * from `Location`). With `--client-metadata-url`, the adapter is the client published at that
 * Client ID Metadata Document URL, and uses it as its `client_id` where the server supports it.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type * as oauth from "oauth4webapi";
import {
  type BearerChallenge,
  buildAuthorizationRequest,
  type ClientRegistration,
  createMemoryRegistrationStore,
  discoverFromChallenge,
  getOrRegisterClient,
  parseBearerChallenge,
  planStepUp,
  processCallback,
  recordRefusals,
  type StepUpState,
  withOfflineAccess,
} from "../src/oauth";

const REDIRECT_URI = "http://localhost:3000/callback";
const serverUrl = new URL(process.argv.at(-1) ?? "");
const metadataFlag = process.argv.indexOf("--client-metadata-url");
const clientMetadataUrl = metadataFlag > 1 ? process.argv[metadataFlag + 1] : undefined;
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}") as Record<string, unknown>;

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
  const { registration } = await getOrRegisterClient(as, createMemoryRegistrationStore(), {
    clientName: "mcp-cognito-workers conformance adapter",
    redirectUris: [REDIRECT_URI],
    applicationType: "native",
    tokenEndpointAuthMethod: chooseAuthMethod(as),
    ...(scopes.length ? { scope: scopes.join(" ") } : {}),
    ...(clientMetadataUrl ? { clientMetadataUrl } : {}),
  });
  return registration;
}

async function signIn(
  as: oauth.AuthorizationServer,
  registration: ClientRegistration,
  resource: string,
  scopes: string[],
) {
  const request = await buildAuthorizationRequest(as, registration, {
    redirectUri: REDIRECT_URI,
    resource,
    scopes: withOfflineAccess(scopes, as.scopes_supported),
  });
  const response = await fetch(request.url, { redirect: "manual" });
  const location = response.headers.get("location");
  if (!location) throw new Error(`authorization endpoint answered ${response.status}`);
  return processCallback(as, registration, request.pending, new URL(location, request.url));
}

/** Connects, lists tools and calls `test-tool`; returns the refusal's challenge if refused. */
async function useServer(accessToken?: string): Promise<BearerChallenge | undefined> {
  const { fetch: recordingFetch, lastRefusal } = recordRefusals();
  const client = new Client({ name: "conformance-adapter", version: "0.1.0" });
  const transport = new StreamableHTTPClientTransport(serverUrl, {
    fetch: recordingFetch,
    ...(accessToken
      ? { requestInit: { headers: { authorization: `Bearer ${accessToken}` } } }
      : {}),
  });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    if (tools.some((tool) => tool.name === "test-tool")) {
      await client.callTool({ name: "test-tool", arguments: {} });
    }
    return undefined;
  } catch (error) {
    const refused = lastRefusal();
    if (!refused) throw error;
    return (await parseBearerChallenge(refused)) ?? { error: `http_${refused.status}` };
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function main() {
  // Use the server as is first: some answer initialize without a token and challenge later.
  const first = await useServer();
  if (!first) return;
  const discovered = await discoverFromChallenge(serverUrl, first);
  const as = discovered.authorizationServer;
  const resource = discovered.protectedResource.resource;
  const registration = await obtainRegistration(as, discovered.scopes);
  let stepUp: StepUpState = { requested: discovered.scopes, attempts: 0 };
  let tokens = await signIn(as, registration, resource, stepUp.requested);
  for (;;) {
    const challenge = await useServer(tokens.accessToken);
    if (!challenge) return;
    if (challenge.error !== "insufficient_scope") {
      throw new Error(`the server refused the token (${challenge.error ?? "no error code"})`);
    }
    stepUp = planStepUp(stepUp, challenge.scope, { maxAttempts: 2 });
    tokens = await signIn(as, registration, resource, stepUp.requested);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
