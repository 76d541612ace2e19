import { readWorkerVars } from "@mcp-cognito-workers/test-support/stack";
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";
import {
  type Exchange,
  HeadlessOAuthProvider,
  type HeadlessOAuthProviderOptions,
} from "./headless-provider";
import { startStack } from "./stack";

const standInVars = readWorkerVars(wrangler, "cognito-local");

const mcpRsVars = readWorkerVars(wrangler, "mcp-rs");
const READ = mcpRsVars.READ_SCOPE ?? "";
const WRITE = mcpRsVars.WRITE_SCOPE ?? "";
/** The revision mcp-rs serves statelessly; the SDK picks it when it probes. */
const STATELESS_REVISION = "2026-07-28";

const stopAll: (() => Promise<void>)[] = [];
/** Host labels for the recorded exchanges, by origin. */
const hosts = new Map<string, string>();
let mcpUrl: string;
let dcrOrigin: string;
/** The `issuer` of dcr's authorization server metadata. */
let issuer: unknown;

beforeAll(async () => {
  const stack = await startStack();
  stopAll.push(stack.dispose);
  mcpUrl = stack.mcpUrl;
  dcrOrigin = stack.dcr.origin;
  hosts.set(stack.cognito.origin, "cognito-idp");
  hosts.set(stack.cognito.loginOrigin, "cognito-login");
  hosts.set(stack.dcr.origin, "dcr");
  hosts.set(new URL(mcpUrl).origin, "mcp");
  const metadata = await fetch(`${dcrOrigin}/.well-known/oauth-authorization-server`);
  issuer = ((await metadata.json()) as { issuer?: unknown }).issuer;
});

afterAll(async () => {
  await Promise.allSettled(stopAll.map((stop) => stop()));
});

function newProvider(options: Partial<HeadlessOAuthProviderOptions> = {}) {
  return new HeadlessOAuthProvider({
    username: standInVars.DEMO_USERNAME ?? "",
    password: standInVars.DEMO_PASSWORD ?? "",
    ...options,
  });
}

function newTransport(provider: HeadlessOAuthProvider) {
  return new StreamableHTTPClientTransport(new URL(mcpUrl), {
    authProvider: provider,
    fetch: provider.fetch,
  });
}

/** `via method host/path status`, e.g. `transport POST dcr/register 201`. */
function step(exchange: Exchange): string {
  const host = hosts.get(exchange.url.origin) ?? exchange.url.origin;
  return `${exchange.via} ${exchange.method} ${host}${exchange.url.pathname} ${exchange.status}`;
}

/** The MCP POSTs (JSON-RPC) since `from`. */
function mcpPosts(provider: HeadlessOAuthProvider, from = 0): Exchange[] {
  return provider.exchanges
    .slice(from)
    .filter((exchange) => exchange.method === "POST" && exchange.url.href === mcpUrl);
}

/** The JSON-RPC method of each MCP POST since `from`. */
function mcpMethods(provider: HeadlessOAuthProvider, from = 0): unknown[] {
  return mcpPosts(provider, from).map(
    (exchange) => (JSON.parse(exchange.body ?? "{}") as { method?: unknown }).method,
  );
}

/** The token requests, all of which go to the front door's token endpoint. */
function tokenRequests(provider: HeadlessOAuthProvider): Exchange[] {
  return provider.exchanges.filter((exchange) => exchange.url.pathname.endsWith("/token"));
}

/** The `grant_type` of each token request, in order. */
function grants(provider: HeadlessOAuthProvider): (string | null)[] {
  return tokenRequests(provider).map((exchange) =>
    new URLSearchParams(exchange.body).get("grant_type"),
  );
}

/**
 * An MCP SDK 2.x client: `auto` probes with `server/discover` and speaks 2026-07-28 where the
 * server offers it; `legacy` runs the `initialize` handshake of the earlier revisions.
 */
function newClient(mode: "auto" | "legacy" = "auto") {
  return new Client({ name: "sdk-wire-test", version: "1.0.0" }, { versionNegotiation: { mode } });
}

/** Connects as an MCP client does on first use: 401, sign-in, `finishAuth`, connect again. */
async function connectSigningIn(provider: HeadlessOAuthProvider, mode?: "auto" | "legacy") {
  const first = newClient(mode);
  await expect(first.connect(newTransport(provider))).rejects.toBeInstanceOf(UnauthorizedError);
  await first.close();
  const signedIn = newTransport(provider);
  // The SDK checks the redirect's iss (RFC 9207) against the issuer it authorized at.
  await signedIn.finishAuth(provider.takeCallback());
  const client = newClient(mode);
  await client.connect(signedIn);
  return { client, transport: signedIn };
}

function structured(result: Awaited<ReturnType<Client["callTool"]>>) {
  expect(result.isError).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
}

function accessTokenScopes(provider: HeadlessOAuthProvider): string[] {
  const token = provider.tokens()?.access_token;
  if (token === undefined) throw new Error("the provider holds no access token");
  return String(decodeJwt(token).scope ?? "").split(" ");
}

describe("the MCP SDK 2.x client finds, registers with and signs in through the front door on its own", () => {
  it.each(["none", "client_secret_basic"] as const)(
    "goes 401 → PRM → AS metadata → DCR → front door (consent, login, callback) → token, then calls tools at 2026-07-28 (%s)",
    async (tokenEndpointAuthMethod) => {
      const provider = newProvider({ tokenEndpointAuthMethod });
      const { client } = await connectSigningIn(provider);
      try {
        const signIn = provider.exchanges.findIndex((e) => e.url.pathname === "/token");
        expect(provider.exchanges.slice(0, signIn + 1).map(step)).toEqual([
          // The server/discover probe, without a token.
          "transport POST mcp/mcp 401",
          "transport GET mcp/.well-known/oauth-protected-resource/mcp 200",
          "transport GET dcr/.well-known/oauth-authorization-server 200",
          "transport POST dcr/register 201",
          "sign-in GET dcr/authorize 200",
          "sign-in POST dcr/authorize/decision 302",
          "sign-in GET cognito-login/oauth2/authorize 302",
          "sign-in GET cognito-login/login 200",
          "sign-in POST cognito-login/login 302",
          "sign-in GET dcr/callback 302",
          // finishAuth reads the discovery state the provider kept with the verifier.
          "transport POST dcr/token 200",
        ]);
        const [unauthorized] = provider.exchanges;
        expect(JSON.parse(unauthorized?.body ?? "{}")).toMatchObject({ method: "server/discover" });
        expect(unauthorized?.challenge).toContain(`scope="${READ}"`);
        expect(unauthorized?.challenge).toContain(
          `resource_metadata="${new URL(mcpUrl).origin}/.well-known/oauth-protected-resource/mcp"`,
        );

        const registered = provider.clientInformation();
        expect(registered?.client_id).toEqual(expect.any(String));
        const registration = provider.exchanges.find((e) => e.url.pathname === "/register");
        expect(JSON.parse(registration?.body ?? "{}")).toMatchObject({
          scope: READ,
          redirect_uris: [provider.redirectUrl],
          token_endpoint_auth_method: tokenEndpointAuthMethod,
          // A loopback redirect URI: a native application (2026-07-28 DCR).
          application_type: "native",
        });
        // The SDK registers with the challenge's scope; dcr adds the step-up scopes to the ceiling.
        expect(registered).toMatchObject({
          scope: expect.stringContaining(WRITE),
          token_endpoint_auth_method: tokenEndpointAuthMethod,
          issuer,
        });
        expect(typeof registered?.client_secret).toBe(
          tokenEndpointAuthMethod === "none" ? "undefined" : "string",
        );

        const redeem = provider.exchanges[signIn];
        expect(redeem?.authorization).toBe(
          tokenEndpointAuthMethod === "none" ? undefined : "Basic",
        );
        expect(new URLSearchParams(redeem?.body).get("client_id")).toBe(
          tokenEndpointAuthMethod === "none" ? registered?.client_id : null,
        );

        expect(provider.authorizations).toHaveLength(1);
        const authorization = provider.authorizations[0];
        expect(`${authorization?.origin}${authorization?.pathname}`).toBe(`${dcrOrigin}/authorize`);
        const authorize = authorization?.searchParams;
        expect(authorize?.get("client_id")).toBe(registered?.client_id);
        expect(authorize?.get("scope")).toBe(READ);
        expect(authorize?.get("resource")).toBe(mcpUrl);
        expect(authorize?.get("code_challenge_method")).toBe("S256");
        expect(grants(provider)).toEqual(["authorization_code"]);

        // The person was asked, for this client by name and id, and approved.
        const [walk] = provider.signIns;
        expect(walk?.consentShown).toBe(true);
        expect(walk?.consentPage).toContain(provider.clientMetadata.client_name);
        expect(walk?.consentPage).toContain(registered?.client_id);
        expect(walk?.loginShown).toBe(true);
        // RFC 9207: the redirect names the front door as its issuer (finishAuth checked it).
        expect(issuer).toBe(dcrOrigin);
        expect(walk?.location.searchParams.get("iss")).toBe(issuer);
        expect(walk?.location.searchParams.get("code")).toEqual(expect.any(String));

        expect(client.getNegotiatedProtocolVersion()).toBe(STATELESS_REVISION);
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(
          expect.arrayContaining(["whoami", "create_context"]),
        );
        const me = structured(await client.callTool({ name: "whoami" }));
        expect(me.username).toBe(standInVars.DEMO_USERNAME);
        expect(me.client_id).toBe(registered?.client_id);
        expect(me.scopes).toContain(READ);
        expect(me.scopes).not.toContain(WRITE);
        expect(me.audience).toEqual([mcpUrl]);
        // Stateless: no initialize; every POST says its revision and method, tools/call its tool.
        expect(mcpMethods(provider, signIn)).toEqual([
          "server/discover",
          "tools/list",
          "tools/call",
        ]);
        for (const post of mcpPosts(provider, signIn)) {
          const { method, params } = JSON.parse(post.body ?? "{}");
          expect(post.mcpHeaders).toEqual({
            "mcp-protocol-version": STATELESS_REVISION,
            "mcp-method": method,
            ...(method === "tools/call" ? { "mcp-name": params.name } : {}),
          });
          expect(params._meta["io.modelcontextprotocol/protocolVersion"]).toBe(STATELESS_REVISION);
          expect(post.status).toBe(200);
        }
        // No MCP request after the sign-in was challenged.
        const after = provider.exchanges.slice(signIn + 1).filter((e) => e.url.href === mcpUrl);
        expect(after.filter((e) => e.status === 401 || e.status === 403)).toEqual([]);
      } finally {
        await client.close();
      }
    },
  );

  it("speaks the initialize-era wire when told to (versionNegotiation legacy)", async () => {
    const provider = newProvider();
    const { client } = await connectSigningIn(provider, "legacy");
    try {
      const [unauthorized] = provider.exchanges;
      // Without a probe, the first request is initialize; mcp-rs challenges it.
      expect(unauthorized && step(unauthorized)).toBe("transport POST mcp/mcp 401");
      expect(JSON.parse(unauthorized?.body ?? "{}")).toMatchObject({ method: "initialize" });
      expect(client.getNegotiatedProtocolVersion()).toBe("2025-11-25");
      const me = structured(await client.callTool({ name: "whoami" }));
      expect(me.username).toBe(standInVars.DEMO_USERNAME);
      const signIn = provider.exchanges.findIndex((e) => e.url.pathname === "/token");
      expect(mcpMethods(provider, signIn)).toEqual([
        "initialize",
        "notifications/initialized",
        "tools/call",
      ]);
      for (const post of mcpPosts(provider, signIn).slice(1)) {
        expect(post.mcpHeaders).toEqual({ "mcp-protocol-version": "2025-11-25" });
      }
    } finally {
      await client.close();
    }
  });
});

describe("a 403 insufficient_scope leads to exactly one new authorization with the union of the scopes", () => {
  it("steps up from read to read + write with a new code grant, though a refresh token is held, and then writes", async () => {
    const provider = newProvider();
    const { client, transport } = await connectSigningIn(provider);
    try {
      expect(accessTokenScopes(provider)).not.toContain(WRITE);
      // A refresh cannot widen the grant (RFC 6749 §6): the SDK must not use this one to step up.
      expect(provider.tokens()?.refresh_token).toEqual(expect.any(String));
      const before = provider.exchanges.length;
      const write = { name: "create_context", arguments: { title: "stepped up", content: "sdk" } };

      await expect(client.callTool(write)).rejects.toBeInstanceOf(UnauthorizedError);
      const [refused] = mcpPosts(provider, before);
      expect(refused && step(refused)).toBe("transport POST mcp/mcp 403");
      expect(refused?.challenge).toContain('error="insufficient_scope"');
      expect(refused?.challenge).toContain(`scope="${READ} ${WRITE}"`);
      expect(provider.authorizations).toHaveLength(2);
      expect(provider.authorizations[1]?.searchParams.get("scope")).toBe(`${READ} ${WRITE}`);
      // A grown request is put to the person again; Cognito's session spares the login.
      const stepUp = provider.signIns[1];
      expect(stepUp?.consentShown).toBe(true);
      expect(stepUp?.consentPage).toContain(WRITE);
      expect(stepUp?.loginShown).toBe(false);
      expect(stepUp?.location.searchParams.get("iss")).toBe(issuer);

      await transport.finishAuth(provider.takeCallback());
      const created = structured(await client.callTool(write));
      expect(created.title).toBe("stepped up");

      expect(accessTokenScopes(provider)).toEqual(expect.arrayContaining([READ, WRITE]));
      expect(provider.authorizations).toHaveLength(2);
      // A new code grant, never a refresh (which would keep the read-only scopes).
      expect(grants(provider)).toEqual(["authorization_code", "authorization_code"]);
      expect(provider.exchanges.filter((e) => e.url.pathname === "/register")).toHaveLength(1);
      const mcpCalls = mcpPosts(provider, before);
      expect(mcpCalls.map((e) => e.status)).toEqual([403, 200]);
    } finally {
      await client.close();
    }
  });
});
