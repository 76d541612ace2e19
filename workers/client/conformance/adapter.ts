/**
 * Command-line MCP client for the conformance suite's client scenarios, built on the web client's
 * own MCP client (src/mcp/call.ts, the MCP SDK 2.x client) and OAuth module (src/oauth/):
 * `node workers/client/conformance/adapter.mjs [--client-metadata-url <url>] <server URL>`.
 *
 * It reads MCP_CONFORMANCE_PROTOCOL_VERSION (2026-07-28: the revision where the server offers it,
 * else `initialize`; an earlier one: the `initialize` handshake) and MCP_CONFORMANCE_CONTEXT, and
 * uses the server as a client would: lists its tools and calls each (those the context names, with
 * its arguments, else every listed one with arguments built from its input schema), reads its
 * resources and gets its prompts, and answers an elicitation by accepting. On a 401 it follows the
 * challenge (PRM → AS metadata → pre-registered credentials from the context, else its Client ID
 * Metadata Document URL where the server supports CIMD, else DCR) and signs in headlessly (the
 * authorization URL is fetched with `redirect: "manual"` and the code taken from `Location`); on a
 * 403 `insufficient_scope` it steps up (at most twice); on a 401 with a token it discovers again
 * and, when the authorization server changed, registers and signs in there.
 */
import {
  type CallToolRequest,
  type Client,
  ProtocolError,
  type Tool,
} from "@modelcontextprotocol/client";
import type * as oauth from "oauth4webapi";
import { createMcpClient, createMcpTransport } from "../src/mcp/call";
import {
  type BearerChallenge,
  buildAuthorizationRequest,
  type ClientRegistration,
  createMemoryRegistrationStore,
  type DiscoveredServer,
  discoverFromChallenge,
  getOrRegisterClient,
  parseBearerChallenge,
  planStepUp,
  processCallback,
  recordRefusals,
  type StepUpState,
  type TokenSet,
  withOfflineAccess,
} from "../src/oauth";

const REDIRECT_URI = "http://localhost:3000/callback";
/** The first revision without the `initialize` handshake. */
const STATELESS_REVISION = "2026-07-28";
/** How many times the server may refuse a token (step-up, new authorization server) in one run. */
const MAX_REAUTHORIZATIONS = 3;
/**
 * How long an MCP request may wait for its answer. The suite starts every scenario of a run at
 * once, and on a busy machine its servers answer later than the SDK's default minute.
 */
const REQUEST_TIMEOUT_MS = 300_000;
const slow = { timeout: REQUEST_TIMEOUT_MS };

/**
 * Sends every request on a new connection. The suite's servers close a keep-alive connection
 * after 5 idle seconds, and on a busy machine a request can leave on one just as it closes
 * (`fetch failed`, the request lost).
 */
const fetchOnNewConnection: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set("connection", "close");
  return fetch(input, { ...init, headers });
};
const net = { fetch: fetchOnNewConnection };

/** An error as one line, with its cause (a network failure says what failed there). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.name}: ${error.message}${cause}`;
}

const serverUrl = new URL(process.argv.at(-1) ?? "");
const metadataFlag = process.argv.indexOf("--client-metadata-url");
const clientMetadataUrl = metadataFlag > 1 ? process.argv[metadataFlag + 1] : undefined;
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}") as Record<string, unknown>;
const requestedVersion = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION ?? STATELESS_REVISION;
const versionNegotiation = requestedVersion >= STATELESS_REVISION ? "auto" : "legacy";
/** One store for the run, keyed by issuer: a new authorization server means a new registration. */
const registrations = createMemoryRegistrationStore();

/** A JSON value that satisfies `schema` well enough to call a tool or answer an elicitation. */
function buildValue(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null) return "conformance";
  const rule = schema as Record<string, unknown>;
  if ("const" in rule) return rule.const;
  if (Array.isArray(rule.enum) && rule.enum.length > 0) return rule.enum[0];
  if ("default" in rule) return rule.default;
  const type = Array.isArray(rule.type) ? rule.type[0] : rule.type;
  switch (type) {
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "null":
      return null;
    case "object":
      return buildArguments(rule);
    default:
      return "conformance";
  }
}

/** An object holding a value for each required property of an object `schema`. */
function buildArguments(schema: unknown): Record<string, unknown> {
  if (typeof schema !== "object" || schema === null) return {};
  const { properties, required } = schema as { properties?: unknown; required?: unknown };
  if (!Array.isArray(required) || typeof properties !== "object" || properties === null) return {};
  const byName = properties as Record<string, unknown>;
  return Object.fromEntries(
    required
      .filter((name): name is string => typeof name === "string")
      .map((name) => [name, buildValue(byName[name])]),
  );
}

/** An accepted form's content: a value for each required field (form fields are primitives). */
function buildFormAnswer(schema: unknown): Record<string, string | number | boolean> {
  const answer: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(buildArguments(schema))) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      answer[name] = value;
    }
  }
  return answer;
}

/** The tool calls the scenario's context names (`toolCalls`), if any. */
function contextToolCalls(): CallToolRequest["params"][] | undefined {
  const calls = context.toolCalls;
  if (!Array.isArray(calls)) return undefined;
  return calls.filter(
    (call): call is CallToolRequest["params"] =>
      typeof call === "object" && call !== null && typeof call.name === "string",
  );
}

/**
 * Lists and calls tools, reads resources, gets prompts: what the server offers. A refusal (401,
 * 403) ends it; any other failure of one call is noted and the next call made. Returns the notes
 * and whether a call failed other than by the server's JSON-RPC error answer.
 */
async function exercise(client: Client, isRefused: () => boolean) {
  const notes: string[] = [];
  let failed = false;
  const attempt = async (what: string, call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (error) {
      if (isRefused()) throw error;
      const answered = error instanceof ProtocolError;
      failed ||= !answered;
      const answer = answered ? `the server answered ${error.code} ` : "";
      notes.push(`${what}: ${answer}${describeError(error)}`);
    }
  };
  const capabilities = client.getServerCapabilities() ?? {};
  if (capabilities.tools) {
    const { tools } = await client.listTools(undefined, slow);
    const calls =
      contextToolCalls() ??
      tools.map((tool: Tool) => ({ name: tool.name, arguments: buildArguments(tool.inputSchema) }));
    for (const call of calls) {
      await attempt(`tool ${call.name}`, () => client.callTool(call, slow));
    }
  }
  if (capabilities.resources) {
    const { resources } = await client.listResources(undefined, slow);
    for (const { uri } of resources) {
      await attempt(`resource ${uri}`, () => client.readResource({ uri }, slow));
    }
  }
  if (capabilities.prompts) {
    const { prompts } = await client.listPrompts(undefined, slow);
    for (const prompt of prompts) {
      const args = Object.fromEntries(
        (prompt.arguments ?? [])
          .filter((argument) => argument.required)
          .map((argument) => [argument.name, "conformance"]),
      );
      await attempt(`prompt ${prompt.name}`, () =>
        client.getPrompt({ name: prompt.name, arguments: args }, slow),
      );
    }
  }
  return { notes, failed };
}

/** A refusal of the server: its status and challenge. */
interface Refusal {
  status: number;
  challenge: BearerChallenge;
}

/** Uses the server (with a token, when there is one); returns its refusal if it refused. */
async function useServer(accessToken?: string): Promise<Refusal | undefined> {
  const { fetch: recordingFetch, lastRefusal } = recordRefusals(fetchOnNewConnection);
  const client = createMcpClient({
    versionNegotiation,
    capabilities: { elicitation: { form: {} } },
  });
  client.setRequestHandler("elicitation/create", async (request) => {
    const schema: unknown =
      "requestedSchema" in request.params ? request.params.requestedSchema : {};
    return { action: "accept", content: buildFormAnswer(schema) };
  });
  const transport = createMcpTransport(serverUrl, accessToken, { fetch: recordingFetch });
  try {
    await client.connect(transport, slow);
    const { notes, failed } = await exercise(client, () => lastRefusal() !== undefined);
    for (const note of notes) console.error(note);
    if (failed) process.exitCode = 1;
    return undefined;
  } catch (error) {
    const refused = lastRefusal();
    if (!refused) throw error;
    return {
      status: refused.status,
      challenge: (await parseBearerChallenge(refused)) ?? { error: `http_${refused.status}` },
    };
  } finally {
    await client.close().catch(() => undefined);
  }
}

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
interface SignedIn {
  as: oauth.AuthorizationServer;
  registration: ClientRegistration;
  resource: string;
  stepUp: StepUpState;
  tokens: TokenSet;
}

async function signIn(session: Omit<SignedIn, "tokens">): Promise<TokenSet> {
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
async function authorize(discovered: DiscoveredServer): Promise<SignedIn> {
  const as = discovered.authorizationServer;
  const session = {
    as,
    registration: await obtainRegistration(as, discovered.scopes),
    resource: discovered.protectedResource.resource,
    stepUp: { requested: discovered.scopes, attempts: 0 },
  };
  return { ...session, tokens: await signIn(session) };
}

async function main() {
  // Use the server as is first: some answer without a token and challenge later.
  const first = await useServer();
  if (!first) return;
  let session = await authorize(await discoverFromChallenge(serverUrl, first.challenge, net));
  for (let refusals = 0; ; refusals++) {
    const refusal = await useServer(session.tokens.accessToken);
    if (!refusal) return;
    if (refusals >= MAX_REAUTHORIZATIONS) {
      throw new Error(`the server still refuses after ${refusals} new authorizations`);
    }
    const { status, challenge } = refusal;
    if (status === 403 && challenge.error === "insufficient_scope") {
      session.stepUp = planStepUp(session.stepUp, challenge.scope, { maxAttempts: 2 });
      session.tokens = await signIn(session);
      continue;
    }
    // A token refused: the resource may have moved to another authorization server (whose
    // issuer keys its own registration), so discover again.
    const discovered = await discoverFromChallenge(serverUrl, challenge, net);
    if (status !== 401 || discovered.authorizationServer.issuer === session.as.issuer) {
      throw new Error(`the server refused the token (${challenge.error ?? `HTTP ${status}`})`);
    }
    session = await authorize(discovered);
  }
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exit(1);
});
