import { callIdp } from "@mcp-cognito-workers/test-support/idp";
import { readWorkerVars, startCognitoLocal } from "@mcp-cognito-workers/test-support/stack";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";
import { readJwtClaims, requestToken, signInWithPkce, startDcr } from "./local-stack";

const standInVars = readWorkerVars(wrangler, "cognito-local");

type Body = Record<string, unknown>;
const CALLBACK = "http://localhost:6274/oauth/callback";
let standIn: Awaited<ReturnType<typeof startCognitoLocal>>;
let dcr: Awaited<ReturnType<typeof startDcr>>;

beforeAll(async () => {
  standIn = await startCognitoLocal(wrangler);
  dcr = await startDcr({
    vars: {
      // Empty: the issuer is the origin the request reached (127.0.0.1 and a free port).
      ISSUER: "",
      COGNITO_ISSUER: standIn.issuer,
      COGNITO_IDP_ENDPOINT: `${standIn.origin}/`,
      // Allowed by policy but absent from the pool: Cognito itself must refuse it.
      ALLOWED_SCOPES: "openid email profile mcp-api/read mcp-api/write mcp-api/admin",
    },
  });
});

afterAll(async () => {
  await dcr?.dispose();
  await standIn?.stop();
});

function register(body: unknown) {
  return fetch(`${dcr.origin}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Calls the stand-in's IdP API as an operator would, to look behind the facade. */
async function describeClient(clientId: string) {
  return idp("DescribeUserPoolClient", { ClientId: clientId });
}

/** `offsetMs` signs as of another time, for a stand-in whose clock is moved by the same offset. */
async function idp(operation: string, input: Body, offsetMs = 0) {
  return callIdp(standIn, operation, input, { offsetMs });
}

describe("workers/dcr in front of workers/cognito-local, on loopback", () => {
  it("both bind to 127.0.0.1", () => {
    expect(new URL(dcr.origin).hostname).toBe("127.0.0.1");
    expect(new URL(standIn.origin).hostname).toBe("127.0.0.1");
  });

  it("publishes RFC 8414 metadata with the front door's endpoints and the stand-in's keys, accepted by oauth4webapi", async () => {
    const issuer = new URL(dcr.origin);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, {
        algorithm: "oauth2",
        [oauth.allowInsecureRequests]: true,
      }),
    );
    expect(as).toMatchObject({
      issuer: dcr.origin,
      registration_endpoint: `${dcr.origin}/register`,
      authorization_endpoint: `${dcr.origin}/authorize`,
      token_endpoint: `${dcr.origin}/token`,
      revocation_endpoint: `${dcr.origin}/revoke`,
      jwks_uri: `${standIn.issuer}/.well-known/jwks.json`,
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
    });
  });

  it("oauth4webapi registers through the advertised registration_endpoint", async () => {
    const issuer = new URL(dcr.origin);
    const insecure = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }),
    );
    const client = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        {
          redirect_uris: ["http://127.0.0.1:33418/callback"],
          token_endpoint_auth_method: "none",
          application_type: "native",
          client_name: "oauth4webapi",
        },
        insecure,
      ),
    );
    expect(client).toMatchObject({
      client_id: expect.stringMatching(/^dcr_[a-z2-7]{26}$/),
      token_endpoint_auth_method: "none",
      application_type: "native",
      registration_client_uri: `${dcr.origin}/register/${client.client_id}`,
    });
  });

  it("registers the Inspector (the issue's curl) and the client signs in with PKCE through the front door", async () => {
    const response = await register({
      redirect_uris: [CALLBACK],
      client_name: "Inspector",
      token_endpoint_auth_method: "none",
    });
    expect(response.status).toBe(201);
    const client = (await response.json()) as Body;
    expect(client).not.toHaveProperty("client_secret");
    const clientId = client.client_id as string;
    expect(clientId).toMatch(/^dcr_[a-z2-7]{26}$/);
    // Registered: the default scopes and the step-up ones; asked for below: the default only.
    expect(client.scope).toBe("openid mcp-api/read mcp-api/write");

    const { code, verifier, consentShown, loginShown } = await signInWithPkce({
      issuer: dcr.origin,
      clientId,
      redirectUri: CALLBACK,
      scope: "openid mcp-api/read",
      username: standInVars.DEMO_USERNAME as string,
      password: standInVars.DEMO_PASSWORD as string,
    });
    expect({ consentShown, loginShown }).toEqual({ consentShown: true, loginShown: true });
    const token = await requestToken(dcr.origin, {
      grant_type: "authorization_code",
      client_id: clientId,
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    });
    expect(token.status).toBe(200);
    expect(token.headers.get("cache-control")).toBe("no-store");
    const tokens = (await token.json()) as { access_token: string; refresh_token?: string };
    // Cognito issued and signed it for the shared app client; the front door only relayed it.
    const claims = readJwtClaims(tokens.access_token);
    expect(claims).toMatchObject({
      iss: standIn.issuer,
      client_id: expect.stringMatching(/^[a-z0-9]{26}$/),
      token_use: "access",
      scope: "openid mcp-api/read",
    });
    const shared = await describeClient(claims.client_id as string);
    expect((shared.body.UserPoolClient as Body).ClientName).toMatch(/^dcr-shared public /);
    expect(tokens.refresh_token).toBeTruthy();
  });

  it("bad inputs are 400s; a scope the pool lacks is Cognito's refusal at the first sign-in", async () => {
    const bad = await register({ redirect_uris: ["http://evil.example/cb"] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Body).error).toBe("invalid_redirect_uri");
    // ALLOWED_SCOPES names a scope the pool lacks (a configuration mistake): registration makes
    // no app client, so Cognito refuses it when the first sign-in needs its group's app client.
    const missing = await register({ redirect_uris: [CALLBACK], scope: "openid mcp-api/admin" });
    expect(missing.status).toBe(201);
    const refused = await signInWithPkce({
      issuer: dcr.origin,
      clientId: ((await missing.json()) as Body).client_id as string,
      redirectUri: CALLBACK,
      scope: "openid mcp-api/admin",
      username: standInVars.DEMO_USERNAME as string,
      password: standInVars.DEMO_PASSWORD as string,
    }).catch((error: Error) => error);
    expect(String(refused)).toContain("no code in");
    expect(String(refused)).toContain("error=server_error");
    expect(String(refused)).toContain("scope%22+names+a+scope+that+does+not+exist");
  });

  it("RFC 7592: read (the secret is not kept), replace the configuration in full, delete", async () => {
    const created = (await (
      await register({
        redirect_uris: ["https://app.example.com/cb"],
        token_endpoint_auth_method: "client_secret_basic",
        scope: "openid email mcp-api/write",
        client_name: "Confidential app",
      })
    ).json()) as Body;
    const uri = created.registration_client_uri as string;
    expect(uri.startsWith(`${dcr.origin}/register/`)).toBe(true);
    const auth = { authorization: `Bearer ${created.registration_access_token}` };

    const read = (await (await fetch(uri, { headers: auth })).json()) as Body;
    expect(read.client_id).toBe(created.client_id);
    expect(read).not.toHaveProperty("client_secret");

    const put = await fetch(uri, {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        client_id: created.client_id,
        redirect_uris: ["https://app.example.com/cb2"],
        token_endpoint_auth_method: "client_secret_basic",
        scope: "openid",
      }),
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as Body).redirect_uris).toEqual(["https://app.example.com/cb2"]);
    // The registration lives in the facade's record only: it is no app client of Cognito's.
    expect((await describeClient(created.client_id as string)).body.__type).toBe(
      "ResourceNotFoundException",
    );
    const readAgain = (await (await fetch(uri, { headers: auth })).json()) as Body;
    expect(readAgain).toMatchObject({
      redirect_uris: ["https://app.example.com/cb2"],
      scope: "openid mcp-api/read mcp-api/write",
    });

    expect((await fetch(uri, { method: "DELETE", headers: auth })).status).toBe(204);
    expect((await fetch(uri, { headers: auth })).status).toBe(401);
  });

  it("the cron deletes an orphaned facade client through the real API and keeps the shared ones", async () => {
    const before = await idp("ListUserPoolClients", { MaxResults: 60 });
    const shared = (before.body.UserPoolClients as Body[])
      .filter((client) => String(client.ClientName).startsWith("dcr-shared "))
      .map((client) => client.ClientId as string);
    // Made by the sign-in above.
    expect(shared.length).toBeGreaterThan(0);
    // An orphan: named like the facade's clients, created two hours ago, with no record.
    // The limiter's window does not expect time to go backwards: off while the clock is moved.
    const settings = (offset: number) =>
      fetch(`${standIn.origin}/_local/settings`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ clockOffsetMs: offset, rateLimitPerSecond: offset === 0 ? 5 : 0 }),
      });
    await settings(-2 * 3600 * 1000);
    const orphan = await idp(
      "CreateUserPoolClient",
      {
        ClientName: "dcr-orphan",
        CallbackURLs: [CALLBACK],
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid"],
        AllowedOAuthFlowsUserPoolClient: true,
      },
      -2 * 3600 * 1000,
    );
    await settings(0);
    expect(orphan.status).toBe(200);
    const orphanId = (orphan.body.UserPoolClient as Body).ClientId as string;

    const cron = await fetch(`${dcr.origin}/cdn-cgi/handler/scheduled`);
    expect(cron.status).toBe(200);
    // One call: the stand-in allows 5 calls of an operation a second, as Cognito does.
    const listed = await idp("ListUserPoolClients", { MaxResults: 60 });
    const ids = (listed.body.UserPoolClients as Body[]).map((client) => client.ClientId);
    expect(ids).not.toContain(orphanId);
    for (const id of shared) expect(ids).toContain(id);
    expect(ids).toContain(standInVars.STATIC_CLIENT_ID);
  });
});
