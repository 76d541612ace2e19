// Client ID Metadata Documents on the wire: documents served by a Node server on 127.0.0.1, a
// front door that may fetch local URLs (CIMD_ALLOW_LOCAL_URLS=true) and one that may not, both in
// front of workers/cognito-local.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  paginateListUserPoolClients,
} from "@aws-sdk/client-cognito-identity-provider";
import { buildSdkClientConfig } from "@mcp-cognito-workers/test-support/idp";
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import { CookieJar } from "@mcp-cognito-workers/test-support/sign-in";
import { readWorkerVars, startCognitoLocal } from "@mcp-cognito-workers/test-support/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";
import {
  buildAuthorizationUrl,
  readJwtClaims,
  requestToken,
  signInWithPkce,
  startDcr,
} from "./local-stack";

const standInVars = readWorkerVars(wrangler, "cognito-local");

type Body = Record<string, unknown>;

const USER = {
  username: standInVars.DEMO_USERNAME as string,
  password: standInVars.DEMO_PASSWORD as string,
};
const POOL_ID = standInVars.USER_POOL_ID as string;
const LOOPBACK = "http://127.0.0.1:33418/cb";
/** The facade's limit on a document (draft-ietf-oauth-client-id-metadata-document §6.6). */
const CIMD_MAX_BYTES = 5 * 1024;

let standIn: Awaited<ReturnType<typeof startCognitoLocal>>;
/** The front door that fetches documents from loopback URLs, as in local development. */
let local: { issuer: string; dispose: () => Promise<void> };
/** The front door as in production: https documents on public names only. */
let strict: { issuer: string; dispose: () => Promise<void> };
let cognito: CognitoIdentityProviderClient;
let documents: Server;
/** The documents' origin, `http://127.0.0.1:<port>`. */
let origin: string;
/** Paths the document server was asked for, in order. */
const requested: string[] = [];

/** A valid document for the URL `path` on the document server. */
function documentFor(path: string, fields: Body = {}): Body {
  return {
    client_id: `${origin}${path}`,
    client_name: "CIMD wire client",
    redirect_uris: [LOOPBACK],
    scope: "openid mcp-api/read",
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    ...fields,
  };
}

/** What the document server answers for each path. */
function serveDocument(path: string, res: ServerResponse) {
  const json = (body: Body) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  switch (path) {
    case "/client.json":
    case "/unlisted.json":
      return json(documentFor(path));
    case "/wrong-id.json":
      // Names another document as its client_id.
      return json(documentFor("/client.json"));
    case "/big.json":
      return json(documentFor(path, { padding: "x".repeat(CIMD_MAX_BYTES) }));
    case "/big-chunked.json": {
      // No Content-Length: the limit must hold while the body is read.
      res.writeHead(200, { "content-type": "application/json" });
      const body = JSON.stringify(documentFor(path, { padding: "x".repeat(CIMD_MAX_BYTES) }));
      for (let at = 0; at < body.length; at += 1024) res.write(body.slice(at, at + 1024));
      return res.end();
    }
    case "/moved.json":
      res.writeHead(302, { location: `${origin}/moved-target.json` });
      return res.end();
    case "/moved-target.json":
      return json(documentFor("/moved.json"));
    default:
      res.writeHead(404);
      return res.end();
  }
}

async function startFrontDoor(vars: Record<string, string>) {
  const port = await findFreePort();
  const issuer = `http://127.0.0.1:${port}`;
  const dcr = await startDcr({
    port,
    vars: {
      ISSUER: issuer,
      COGNITO_ISSUER: standIn.issuer,
      COGNITO_IDP_ENDPOINT: `${standIn.origin}/`,
      ...vars,
    },
  });
  return { issuer, dispose: dcr.dispose };
}

beforeAll(async () => {
  documents = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requested.push(path);
    serveDocument(path, res);
  });
  await new Promise<void>((resolve) => documents.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(documents.address() as AddressInfo).port}`;

  standIn = await startCognitoLocal(wrangler);
  // The tests list the pool around every refusal: more calls a second than Cognito's 5.
  await fetch(`${standIn.origin}/_local/settings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rateLimitPerSecond: 0 }),
  });
  local = await startFrontDoor({ CIMD_ALLOW_LOCAL_URLS: "true" });
  strict = await startFrontDoor({ CIMD_ALLOW_LOCAL_URLS: "false" });
  cognito = new CognitoIdentityProviderClient(buildSdkClientConfig(standIn));
});

afterAll(async () => {
  cognito?.destroy();
  await strict?.dispose();
  await local?.dispose();
  await standIn?.stop();
  await new Promise((resolve) => documents?.close(resolve));
});

/** Every app client of the pool, as an operator lists them. */
async function listAppClients() {
  const clients: { ClientId?: string; ClientName?: string }[] = [];
  for await (const page of paginateListUserPoolClients(
    { client: cognito },
    { UserPoolId: POOL_ID, MaxResults: 60 },
  ))
    clients.push(...(page.UserPoolClients ?? []));
  return clients;
}

/** The shared public app clients the front door made (they serve CIMD URLs). */
async function cimdAppClients() {
  return (await listAppClients()).filter((client) =>
    client.ClientName?.startsWith("dcr-shared public "),
  );
}

/** Text as hono's `html` template escapes it. */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Expects `/authorize` for `clientId` to end on the front door's error page (400, `message`
 * shown, no redirect) and no app client to be created.
 */
async function expectRefused(
  frontDoor: { issuer: string },
  clientId: string,
  message: string,
  redirectUri = LOOPBACK,
) {
  const before = (await listAppClients()).map((client) => client.ClientId).sort();
  const { url } = buildAuthorizationUrl({
    issuer: frontDoor.issuer,
    clientId,
    redirectUri,
    scope: "openid",
  });
  const response = await new CookieJar().send(url);
  expect(response.status).toBe(400);
  expect(response.headers.get("location")).toBeNull();
  expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
  const page = await response.text();
  expect(page).toContain("This sign-in cannot continue");
  expect(page).toContain(escapeHtml(message));
  expect((await listAppClients()).map((client) => client.ClientId).sort()).toEqual(before);
}

describe("a CIMD client_id signs in through the front door", () => {
  it("consent names the URL; the token is for the shared public app client of its slot, reused", async () => {
    const clientId = `${origin}/client.json`;
    expect(await cimdAppClients()).toEqual([]);

    const signIn = () =>
      signInWithPkce({
        issuer: local.issuer,
        clientId,
        redirectUri: LOOPBACK,
        scope: "openid mcp-api/read",
        ...USER,
      });
    const first = await signIn();
    expect(first).toMatchObject({ consentShown: true, loginShown: true });
    expect(first.consentPage).toContain(clientId);
    expect(first.consentPage).toContain("CIMD wire client");
    expect(requested).toContain("/client.json");

    const redeem = async ({ code, verifier }: { code: string; verifier: string }) => {
      const response = await requestToken(local.issuer, {
        grant_type: "authorization_code",
        client_id: clientId,
        code,
        redirect_uri: LOOPBACK,
        code_verifier: verifier,
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { access_token: string; refresh_token: string };
    };
    const tokens = await redeem(first);

    const created = await cimdAppClients();
    expect(created).toHaveLength(1);
    const [appClient] = created;
    expect(appClient?.ClientName).toMatch(/^dcr-shared public [0-9a-f]{12} [01]$/);
    const { UserPoolClient: described } = await cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: POOL_ID, ClientId: appClient?.ClientId }),
    );
    expect(described?.CallbackURLs).toEqual([`${local.issuer}/callback`]);
    expect(described?.ClientSecret).toBeUndefined();

    // Cognito's token for that app client; Cognito's userInfo accepts it.
    expect(readJwtClaims(tokens.access_token)).toMatchObject({
      iss: standIn.issuer,
      client_id: appClient?.ClientId,
      scope: "openid mcp-api/read",
    });
    const userInfo = await fetch(`${standIn.loginOrigin}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(userInfo.status).toBe(200);
    expect(((await userInfo.json()) as Body).username).toBe(USER.username);

    // The URL refreshes as a public client, with the refresh token sealed for it.
    const refreshed = await requestToken(local.issuer, {
      grant_type: "refresh_token",
      client_id: clientId,
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);

    // A second sign-in (another browser) reuses the app client.
    const second = await redeem(await signIn());
    expect(readJwtClaims(second.access_token).client_id).toBe(appClient?.ClientId);
    expect(await cimdAppClients()).toEqual(created);
  });
});

describe("draft-ietf-oauth-client-id-metadata-document: refused documents are error pages", () => {
  it("a document whose client_id is not its URL", async () => {
    await expectRefused(
      local,
      `${origin}/wrong-id.json`,
      `client_id in the document (${JSON.stringify(`${origin}/client.json`)}) does not equal its URL`,
    );
    expect(requested).toContain("/wrong-id.json");
  });

  it("a private or loopback address (the SSRF guard, before any fetch)", async () => {
    const message = "client_id URL must use a DNS name, not an IP address";
    await expectRefused(local, "https://10.0.0.1/client.json", message);
    await expectRefused(strict, "https://10.0.0.1/client.json", message);
    await expectRefused(strict, "https://127.0.0.1/client.json", message);
    await expectRefused(strict, "https://[::1]/client.json", message);
  });

  it("a document larger than 5 KiB, with or without Content-Length", async () => {
    const message = "the client metadata document is larger than 5 KiB";
    await expectRefused(local, `${origin}/big.json`, message);
    await expectRefused(local, `${origin}/big-chunked.json`, message);
    expect(requested).toEqual(expect.arrayContaining(["/big.json", "/big-chunked.json"]));
  });

  it("a redirect_uri the document does not list", async () => {
    await expectRefused(
      local,
      `${origin}/unlisted.json`,
      "The redirect_uri is not registered for this client.",
      "https://evil.example/cb",
    );
    expect(requested).toContain("/unlisted.json");
  });

  it("a document URL that redirects (302) is not followed", async () => {
    await expectRefused(
      local,
      `${origin}/moved.json`,
      "the client metadata document redirects; redirects are not followed",
    );
    expect(requested).toContain("/moved.json");
    expect(requested).not.toContain("/moved-target.json");
  });

  it("an http URL when local URLs are off, not fetched", async () => {
    const before = requested.length;
    await expectRefused(strict, `${origin}/client.json`, "client_id URL must use https");
    expect(requested).toHaveLength(before);
  });
});
