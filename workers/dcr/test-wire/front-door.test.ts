// The front door on the wire: workers/dcr in front of workers/cognito-local, each under wrangler
// on its own loopback port, driven as a browser (one cookie jar per person) and as OAuth clients.
import { randomBytes } from "node:crypto";
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { buildSdkClientConfig } from "@mcp-cognito-workers/test-support/idp";
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import {
  authorizeThroughFrontDoor,
  CookieJar,
  pkce,
} from "@mcp-cognito-workers/test-support/sign-in";
import { readWorkerVars, startCognitoLocal } from "@mcp-cognito-workers/test-support/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";
import {
  buildAuthorizationUrl,
  readJwtClaims,
  requestToken,
  signInWithPkce,
  startDcr,
  type TokenRequestOptions,
} from "./local-stack";

const standInVars = readWorkerVars(wrangler, "cognito-local");

type Body = Record<string, unknown>;
interface Registered {
  client_id: string;
  client_secret?: string;
}

const USER = {
  username: standInVars.DEMO_USERNAME as string,
  password: standInVars.DEMO_PASSWORD as string,
};
const POOL_ID = standInVars.USER_POOL_ID as string;
const EVIL = "https://evil.example/cb";
const LOOPBACK = "http://127.0.0.1:33418/cb";
/** The resource server's canonical URI (workers/mcp-rs's dev port). */
const RESOURCE = "http://localhost:3001/mcp";

let standIn: Awaited<ReturnType<typeof startCognitoLocal>>;
let dcr: Awaited<ReturnType<typeof startDcr>>;
let issuer: string;
let cognito: CognitoIdentityProviderClient;

beforeAll(async () => {
  standIn = await startCognitoLocal(wrangler);
  // The tests read app clients with the AWS SDK beside the facade's own calls (an RFC 7592 read
  // describes the app client too): more calls a second than the stand-in's 5 per operation.
  await fetch(`${standIn.origin}/_local/settings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rateLimitPerSecond: 0 }),
  });
  // The port is chosen first so that ISSUER, and so the callback every app client holds, is known.
  const port = await findFreePort();
  issuer = `http://127.0.0.1:${port}`;
  dcr = await startDcr({
    port,
    vars: {
      ISSUER: issuer,
      COGNITO_ISSUER: standIn.issuer,
      COGNITO_IDP_ENDPOINT: `${standIn.origin}/`,
    },
  });
  if (dcr.origin !== issuer) throw new Error(`dcr listens on ${dcr.origin}, not ${issuer}`);
  cognito = new CognitoIdentityProviderClient(buildSdkClientConfig(standIn));
});

afterAll(async () => {
  cognito?.destroy();
  await dcr?.dispose();
  await standIn?.stop();
});

async function register(body: Body): Promise<Registered> {
  const response = await fetch(`${issuer}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 201)
    throw new Error(`registration answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Registered;
}

/**
 * A client registered on first use and shared by the tests (each with its own browser): the
 * facade allows 10 registrations a minute from one address.
 */
function registeredOnce(body: Body): () => Promise<Registered> {
  let client: Promise<Registered> | undefined;
  return () => {
    client ??= register(body);
    return client;
  };
}

/** A public client on a loopback redirect, as an MCP client on a person's computer. */
const personalApp = registeredOnce({
  redirect_uris: [LOOPBACK],
  token_endpoint_auth_method: "none",
  client_name: "Personal app",
});
/** The attacker's client: registered openly, its redirect URI on the attacker's site. */
const attackerApp = registeredOnce({
  redirect_uris: [EVIL],
  token_endpoint_auth_method: "none",
  client_name: "Totally legit",
});
const basicApp = registeredOnce({
  redirect_uris: [EVIL, LOOPBACK, "https://app.example.com/cb"],
  token_endpoint_auth_method: "client_secret_basic",
  client_name: "Confidential Basic",
});
const postApp = registeredOnce({
  redirect_uris: [LOOPBACK],
  token_endpoint_auth_method: "client_secret_post",
  client_name: "Confidential post",
});

/** A browser whose person has signed in once through the front door: it holds Cognito's session. */
async function signedInBrowser(): Promise<CookieJar> {
  const app = await personalApp();
  const jar = new CookieJar();
  const walk = await signInWithPkce({
    issuer,
    clientId: app.client_id,
    redirectUri: LOOPBACK,
    scope: "openid",
    ...USER,
    jar,
  });
  expect(walk.loginShown).toBe(true);
  expect(jar.cookies.has("cognito")).toBe(true);
  return jar;
}

/** Cognito's own authorize URL, as an attacker would write it, bypassing the front door. */
function cognitoAuthorizeUrl(clientId: string, redirectUri: string, state?: string) {
  const url = new URL("/oauth2/authorize", standIn.loginOrigin);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: "openid",
    code_challenge: pkce().challenge,
    code_challenge_method: "S256",
    ...(state !== undefined ? { state } : {}),
  }).toString();
  return url.href;
}

/** The query of an authorization response, as an object. */
function responseParams(location: URL): Record<string, string> {
  return Object.fromEntries(location.searchParams);
}

function withoutQuery(location: URL): string {
  return `${location.origin}${location.pathname}`;
}

/** The app client behind a client id, read from Cognito with the AWS SDK v3. */
async function describeAppClient(clientId: string) {
  const { UserPoolClient } = await cognito.send(
    new DescribeUserPoolClientCommand({ UserPoolId: POOL_ID, ClientId: clientId }),
  );
  if (!UserPoolClient) throw new Error(`no app client ${clientId}`);
  return UserPoolClient;
}

/**
 * The shared app client that serves a client, as anyone can learn it: approve a sign-in of it in
 * a browser of one's own and read the redirect to Cognito.
 */
async function appClientOf(client: Registered, redirectUri: string): Promise<string> {
  const browser = new CookieJar();
  const consent = await browser.send(
    buildAuthorizationUrl({ issuer, clientId: client.client_id, redirectUri, scope: "openid" }).url,
  );
  const transaction = /name="transaction" value="([^"]+)"/.exec(await consent.text())?.[1];
  const approved = await browser.send(`${issuer}/authorize/decision`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: issuer },
    body: new URLSearchParams({ transaction: transaction ?? "", decision: "approve" }).toString(),
  });
  const toCognito = new URL(approved.headers.get("location") ?? "");
  const appClient = toCognito.searchParams.get("client_id");
  if (!appClient) throw new Error(`no app client in ${toCognito}`);
  return appClient;
}

/** Expects the front door's HTML error page: no redirect, the message shown. */
async function expectErrorPage(response: Response, status: number, message: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("location")).toBeNull();
  expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
  const page = await response.text();
  expect(page).toContain("This sign-in cannot continue");
  expect(page).toContain(message);
  return page;
}

describe("the confused deputy: Cognito's session cannot be used around the front door", () => {
  it("an attacker who sends a signed-in person straight to Cognito's authorize gets no code", async () => {
    const victim = await signedInBrowser();
    // The attacker learns the shared app client behind their registration from their own sign-in.
    const attacker = { client_id: await appClientOf(await attackerApp(), EVIL) };

    // Cognito does not know the attacker's redirect URI: its error page, no redirect.
    const toEvil = await victim.send(cognitoAuthorizeUrl(attacker.client_id, EVIL, "s1"));
    expect(toEvil.status).toBe(400);
    expect(toEvil.headers.get("location")).toBeNull();
    expect(await toEvil.text()).toContain("redirect_mismatch");

    // The only redirect URI Cognito knows is the front door's callback. Cognito signs the person
    // in silently (the attack gets that far), and the front door, which did not start this, stops.
    // No state, a made-up one, and one shaped like a sealed transaction (IV.ciphertext).
    const sealedLike = `${randomBytes(12).toString("base64url")}.${randomBytes(200).toString("base64url")}`;
    for (const state of [undefined, "forged-state", sealedLike]) {
      const atCognito = await victim.send(
        cognitoAuthorizeUrl(attacker.client_id, `${issuer}/callback`, state),
      );
      expect(atCognito.status).toBe(302);
      const callback = new URL(atCognito.headers.get("location") ?? "");
      expect(withoutQuery(callback)).toBe(`${issuer}/callback`);
      const cognitoCode = callback.searchParams.get("code");
      expect(cognitoCode).toBeTruthy();

      const page = await expectErrorPage(
        await victim.send(callback.href),
        400,
        "This sign-in response was not started by this server, or it has expired.",
      );
      expect(page).not.toContain(cognitoCode);
      expect(page).not.toContain("evil.example");
    }
  });

  it("a state taken from the attacker's own authorization is refused in the victim's browser", async () => {
    const attacker = await attackerApp();
    const victim = await signedInBrowser();

    // The attacker starts an authorization in their own browser and approves it.
    const attackerBrowser = new CookieJar();
    const consent = await attackerBrowser.send(
      buildAuthorizationUrl({
        issuer,
        clientId: attacker.client_id,
        redirectUri: EVIL,
        scope: "openid",
      }).url,
    );
    expect(consent.status).toBe(200);
    const transaction = /name="transaction" value="([^"]+)"/.exec(await consent.text())?.[1];
    expect(transaction).toBeTruthy();
    const approved = await attackerBrowser.send(`${issuer}/authorize/decision`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: issuer },
      body: new URLSearchParams({
        transaction: transaction as string,
        decision: "approve",
      }).toString(),
    });
    expect(approved.status).toBe(302);
    const toCognito = new URL(approved.headers.get("location") ?? "");
    // Cognito's managed-login domain (from its discovery), not the issuer's host.
    expect(withoutQuery(toCognito)).toBe(`${standIn.loginOrigin}/oauth2/authorize`);
    expect(toCognito.searchParams.get("redirect_uri")).toBe(`${issuer}/callback`);
    const state = toCognito.searchParams.get("state");
    expect(state).toBeTruthy();

    // The victim is sent to that URL: Cognito signs them in silently and answers the callback.
    const atCognito = await victim.send(toCognito.href);
    expect(atCognito.status).toBe(302);
    const callback = new URL(atCognito.headers.get("location") ?? "");
    expect(withoutQuery(callback)).toBe(`${issuer}/callback`);
    expect(callback.searchParams.get("state")).toBe(state);
    expect(callback.searchParams.get("code")).toBeTruthy();

    await expectErrorPage(
      await victim.send(callback.href),
      403,
      "This sign-in was not started in this browser.",
    );
  });

  it("a shared app client in Cognito holds only the front door's callback, never a client's secret (AWS SDK v3)", async () => {
    const confidential = await basicApp();
    const shared = await describeAppClient(await appClientOf(confidential, LOOPBACK));
    expect(shared.ClientName).toMatch(/^dcr-shared confidential [0-9a-f]{12} [01]$/);
    expect(shared.CallbackURLs).toEqual([`${issuer}/callback`]);
    expect(shared.ClientSecret).toBeTruthy();
    expect(shared.ClientSecret).not.toBe(confidential.client_secret);
    // A registration is not an app client at all.
    await expect(describeAppClient(confidential.client_id)).rejects.toThrow(/does not exist/);
    const attacker = await describeAppClient(await appClientOf(await attackerApp(), EVIL));
    expect(attacker.CallbackURLs).toEqual([`${issuer}/callback`]);

    // Signing in through the front door does not add the client's redirect URI either.
    const publicClient = await personalApp();
    await signInWithPkce({
      issuer,
      clientId: publicClient.client_id,
      redirectUri: LOOPBACK,
      scope: "openid",
      ...USER,
    });
    const after = await describeAppClient(await appClientOf(publicClient, LOOPBACK));
    expect(after.CallbackURLs).toEqual([`${issuer}/callback`]);
    expect(after.AllowedOAuthFlows).toEqual(["code"]);
  });
});

describe("consent per client (MCP security best practices, confused deputy)", () => {
  it("approve signs in; deny answers access_denied; an approval is remembered; a grown scope asks again", async () => {
    const app = await register({
      redirect_uris: [LOOPBACK],
      token_endpoint_auth_method: "none",
      client_name: "Consent wire test",
    });
    const browser = new CookieJar();
    const approved = await signInWithPkce({
      issuer,
      clientId: app.client_id,
      redirectUri: LOOPBACK,
      scope: "openid mcp-api/read",
      ...USER,
      jar: browser,
    });
    expect(approved).toMatchObject({ consentShown: true, loginShown: true });
    expect(approved.consentPage).toContain("Consent wire test");
    expect(approved.consentPage).toContain("127.0.0.1:33418");
    expect(browser.cookies.has("mcp_fd_consent")).toBe(true);

    // Another browser denies: the client hears access_denied with its state and the issuer.
    const { url, state } = buildAuthorizationUrl({
      issuer,
      clientId: app.client_id,
      redirectUri: LOOPBACK,
      scope: "openid mcp-api/read",
    });
    const denied = await authorizeThroughFrontDoor(url, { ...USER, decision: "deny" });
    expect(denied).toMatchObject({ consentShown: true, loginShown: false });
    expect(withoutQuery(denied.location)).toBe(LOOPBACK);
    expect(responseParams(denied.location)).toEqual({
      error: "access_denied",
      error_description: "the person denied the request",
      state,
      iss: issuer,
    });

    // The approving browser again, same scope: no consent page, and Cognito's session holds.
    const remembered = await signInWithPkce({
      issuer,
      clientId: app.client_id,
      redirectUri: LOOPBACK,
      scope: "openid mcp-api/read",
      ...USER,
      jar: browser,
    });
    expect(remembered).toMatchObject({ consentShown: false, loginShown: false });

    // A grown scope is asked for, naming what is new.
    const grown = await signInWithPkce({
      issuer,
      clientId: app.client_id,
      redirectUri: LOOPBACK,
      scope: "openid mcp-api/read mcp-api/write",
      ...USER,
      jar: browser,
    });
    expect(grown.consentShown).toBe(true);
    expect(grown.consentPage).toContain("mcp-api/write");

    // The approval is per client: another client in the same browser is asked.
    const other = await postApp();
    const otherWalk = await signInWithPkce({
      issuer,
      clientId: other.client_id,
      redirectUri: LOOPBACK,
      scope: "openid",
      ...USER,
      jar: browser,
    });
    expect(otherWalk).toMatchObject({ consentShown: true, loginShown: false });
  });
});

describe("RFC 8252 §7.3: a loopback redirect URI matches on any port", () => {
  it("authorizes and redeems on another port; another path is refused with a page", async () => {
    const app = await personalApp();
    const elsewhere = "http://127.0.0.1:50123/cb";
    const { code, verifier, location } = await signInWithPkce({
      issuer,
      clientId: app.client_id,
      redirectUri: elsewhere,
      scope: "openid",
      ...USER,
    });
    expect(location.port).toBe("50123");
    const token = await requestToken(issuer, {
      grant_type: "authorization_code",
      client_id: app.client_id,
      code,
      redirect_uri: elsewhere,
      code_verifier: verifier,
    });
    expect(token.status).toBe(200);

    const refused = await fetch(
      buildAuthorizationUrl({
        issuer,
        clientId: app.client_id,
        redirectUri: "http://127.0.0.1:50123/other",
        scope: "openid",
      }).url,
      { redirect: "manual" },
    );
    await expectErrorPage(refused, 400, "The redirect_uri is not registered for this client.");
  });
});

describe("RFC 9207: iss is the front door's issuer in every authorization response", () => {
  it("on success, on the front door's own errors, and on Cognito's errors relayed", async () => {
    const app = await personalApp();
    const browser = new CookieJar();
    const success = await signInWithPkce({
      issuer,
      clientId: app.client_id,
      redirectUri: LOOPBACK,
      scope: "openid",
      ...USER,
      jar: browser,
    });
    expect(success.location.searchParams.get("iss")).toBe(issuer);
    expect(success.location.searchParams.get("code")).toBeTruthy();

    // The front door's own errors, once the redirect URI is trusted.
    const cases: [Parameters<typeof buildAuthorizationUrl>[0], string][] = [
      [
        { issuer, clientId: app.client_id, redirectUri: LOOPBACK, scope: "profile" },
        "invalid_scope",
      ],
      [
        {
          issuer,
          clientId: app.client_id,
          redirectUri: LOOPBACK,
          scope: "openid",
          extra: { code_challenge_method: "plain" },
        },
        "invalid_request",
      ],
      [
        {
          issuer,
          clientId: app.client_id,
          redirectUri: LOOPBACK,
          scope: "openid",
          extra: { prompt: "none", scope: "openid mcp-api/write" },
        },
        "consent_required",
      ],
    ];
    for (const [request, error] of cases) {
      const { url, state } = buildAuthorizationUrl(request);
      const response = await browser.send(url);
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get("location") ?? "");
      expect(withoutQuery(location)).toBe(LOOPBACK);
      expect(responseParams(location)).toMatchObject({ error, state, iss: issuer });
      expect(location.searchParams.has("code")).toBe(false);
    }

    // Cognito's error, relayed: consent is remembered but Cognito's session is gone (prompt=none).
    browser.cookies.delete("cognito");
    const { url, state } = buildAuthorizationUrl({
      issuer,
      clientId: app.client_id,
      redirectUri: LOOPBACK,
      scope: "openid",
      extra: { prompt: "none" },
    });
    const relayed = await authorizeThroughFrontDoor(url, { ...USER, jar: browser });
    expect(relayed).toMatchObject({ consentShown: false, loginShown: false });
    expect(withoutQuery(relayed.location)).toBe(LOOPBACK);
    expect(responseParams(relayed.location)).toMatchObject({
      error: "login_required",
      state,
      iss: issuer,
    });
  });
});

describe("the token relay: Cognito's tokens through the front door, the grant checked first", () => {
  const methods = ["client_secret_basic", "client_secret_post", "none"] as const;
  const apps = { client_secret_basic: basicApp, client_secret_post: postApp, none: personalApp };

  /** Token-endpoint credentials for a client as it registered. */
  function credentials(
    method: (typeof methods)[number],
    client: Registered,
  ): { form: Record<string, string>; options: TokenRequestOptions } {
    if (method === "client_secret_basic")
      return {
        form: {},
        options: {
          basic: { clientId: client.client_id, clientSecret: client.client_secret as string },
        },
      };
    if (method === "client_secret_post")
      return {
        form: { client_id: client.client_id, client_secret: client.client_secret as string },
        options: {},
      };
    return { form: { client_id: client.client_id }, options: {} };
  }

  it.each(methods)(
    "%s: code → tokens for the resource, refresh, revoke, then the refresh token is dead",
    async (method) => {
      const client = await apps[method]();
      const auth = credentials(method, client);
      const { code, verifier } = await signInWithPkce({
        issuer,
        clientId: client.client_id,
        redirectUri: LOOPBACK,
        scope: "openid mcp-api/read",
        resource: RESOURCE,
        ...USER,
      });
      const token = await requestToken(
        issuer,
        {
          ...auth.form,
          grant_type: "authorization_code",
          code,
          redirect_uri: LOOPBACK,
          code_verifier: verifier,
        },
        auth.options,
      );
      expect(token.status).toBe(200);
      expect(token.headers.get("cache-control")).toBe("no-store");
      const tokens = (await token.json()) as { access_token: string; refresh_token: string };
      // Cognito's token, unchanged: its issuer, the shared app client's id, bound to the resource.
      expect(readJwtClaims(tokens.access_token)).toMatchObject({
        iss: standIn.issuer,
        client_id: await appClientOf(client, LOOPBACK),
        aud: RESOURCE,
        scope: "openid mcp-api/read",
        token_use: "access",
      });
      expect(tokens.refresh_token).toBeTruthy();

      const refreshed = await requestToken(
        issuer,
        { ...auth.form, grant_type: "refresh_token", refresh_token: tokens.refresh_token },
        auth.options,
      );
      expect(refreshed.status).toBe(200);
      const next = (await refreshed.json()) as { access_token: string; refresh_token?: string };
      expect(readJwtClaims(next.access_token)).toMatchObject({ aud: RESOURCE });
      // A public client's refresh token rotates (OAuth 2.1 §4.3.1).
      const refreshToken = next.refresh_token ?? tokens.refresh_token;
      if (method === "none") expect(next.refresh_token).not.toBe(tokens.refresh_token);

      const revoked = await requestToken(
        issuer,
        { ...auth.form, token: refreshToken },
        { ...auth.options, path: "/revoke" },
      );
      expect(revoked.status).toBe(200);
      const dead = await requestToken(
        issuer,
        { ...auth.form, grant_type: "refresh_token", refresh_token: refreshToken },
        auth.options,
      );
      expect(dead.status).toBe(400);
      expect(((await dead.json()) as Body).error).toBe("invalid_grant");
    },
  );

  it("a code is refused to another client, another redirect_uri and another method, and redeemed once", async () => {
    const owner = await personalApp();
    const other = await postApp();
    const basic = await basicApp();
    const { code, verifier } = await signInWithPkce({
      issuer,
      clientId: owner.client_id,
      redirectUri: LOOPBACK,
      scope: "openid",
      ...USER,
    });
    const grant = { grant_type: "authorization_code", code, code_verifier: verifier };

    const stolen = await requestToken(issuer, {
      ...grant,
      redirect_uri: LOOPBACK,
      client_id: other.client_id,
      client_secret: other.client_secret as string,
    });
    expect(stolen.status).toBe(400);
    expect(await stolen.json()).toEqual({
      error: "invalid_grant",
      error_description: "the code was issued to another client",
    });

    const moved = await requestToken(issuer, {
      ...grant,
      redirect_uri: "http://127.0.0.1:33418/other",
      client_id: owner.client_id,
    });
    expect(moved.status).toBe(400);
    expect(await moved.json()).toEqual({
      error: "invalid_grant",
      error_description: '"redirect_uri" does not match the authorization request',
    });

    // A client registered for client_secret_basic that posts its secret instead.
    const wrongMethod = await requestToken(issuer, {
      ...grant,
      redirect_uri: LOOPBACK,
      client_id: basic.client_id,
      client_secret: basic.client_secret as string,
    });
    expect(wrongMethod.status).toBe(401);
    expect(wrongMethod.headers.get("www-authenticate")).toBe('Basic realm="token"');
    expect(await wrongMethod.json()).toEqual({
      error: "invalid_client",
      error_description: "this client must authenticate with client_secret_basic",
    });
    // A public client that sends a secret.
    const publicWithSecret = await requestToken(issuer, {
      ...grant,
      redirect_uri: LOOPBACK,
      client_id: owner.client_id,
      client_secret: "guess",
    });
    expect(publicWithSecret.status).toBe(401);
    expect(((await publicWithSecret.json()) as Body).error).toBe("invalid_client");

    // The refusals were the front door's: the code is still good, once.
    const redeem = () =>
      requestToken(issuer, { ...grant, redirect_uri: LOOPBACK, client_id: owner.client_id });
    expect((await redeem()).status).toBe(200);
    const replayed = await redeem();
    expect(replayed.status).toBe(400);
    expect(((await replayed.json()) as Body).error).toBe("invalid_grant");
  });
});
