// Registrations at internet scale, on the wire: workers/dcr and workers/mcp-rs in front of
// workers/cognito-local, each under wrangler on a loopback port. With the stand-in's app-client quota at 20, 300 DCR registrations, 50 CIMD client ids and
// the static client each sign in and call a tool; a deleted registration's refresh token is
// refused at once and its access token within the resource server's bound; and a burst of 100
// registrations with 100 concurrent first sign-ins gets 201s (or 429s with Retry-After), never a
// 5xx, while the facade never sends Cognito more app-client calls a second than its limits.
// Every registration comes from its own address, as across the internet (the facade allows 10 a
// minute from one); dcr's own limits are its defaults. Two local workers can share a KV namespace
// only through one state folder, whose SQLite store refuses one of two concurrent writers
// (SQLITE_BUSY); so the mcp-rs that reads dcr's tombstones and grant records is started for the
// quiet deletion test only, and the loaded phases use one with its own state.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callIdp } from "@mcp-cognito-workers/test-support/idp";
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import { CookieJar, signIn as signInAtCognito } from "@mcp-cognito-workers/test-support/sign-in";
import {
  readWorkerVars,
  startCognitoLocal,
  startLocalWorker,
} from "@mcp-cognito-workers/test-support/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";
import {
  readJwtClaims,
  requestToken,
  signInWithPkce,
  startDcr,
  type TokenRequestOptions,
} from "./local-stack";

const standInVars = readWorkerVars(wrangler, "cognito-local");

const DCR_REGISTRATIONS = 300;
const CIMD_CLIENTS = 50;
const APP_CLIENT_QUOTA = 20;
const BURST = 100;
/** Sign-ins under way at once in the scale phase (2 shared cores run all three workers). */
const LANES = 6;
const LOOPBACK = "http://127.0.0.1:33418/cb";
const USER = {
  username: standInVars.DEMO_USERNAME as string,
  password: standInVars.DEMO_PASSWORD as string,
};
const DEV_SERVER_RELOAD = "Your worker restarted mid-request";
/**
 * How long an mcp-rs isolate remembers that a client is not revoked (its REVOCATION_MEMO_SECONDS;
 * deployed, KV's edge cache adds up to a minute, which the local KV does not have).
 */
const REVOCATION_MEMO_SECONDS = 10;

interface Registered {
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method: string;
  registration_access_token: string;
  registration_client_uri: string;
}

interface CallStats {
  operations: Record<string, { accepted: number; throttled: number; peakPerSecond: number }>;
  peakPerSecond: number;
}

let standIn: Awaited<ReturnType<typeof startCognitoLocal>>;
let dcr: Awaited<ReturnType<typeof startDcr>>;
let mcpRs: Awaited<ReturnType<typeof startLocalWorker>>;
/** mcp-rs with dcr's state folder (its KV namespace), for the deletion test. */
let sharedMcpRs: Awaited<ReturnType<typeof startLocalWorker>> | undefined;
let issuer: string;
let resource: string;
let persistTo: string;
let documents: Server;
let documentsOrigin: string;

beforeAll(async () => {
  documents = createServer((req, res) => {
    const match = /^\/clients\/(\d+)\.json$/.exec(req.url ?? "");
    if (!match) {
      res.writeHead(404);
      return res.end();
    }
    const n = Number(match[1]);
    res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" });
    res.end(
      JSON.stringify({
        client_id: `${documentsOrigin}/clients/${n}.json`,
        client_name: `CIMD client ${n}`,
        redirect_uris: [LOOPBACK],
        token_endpoint_auth_method: "none",
        // Two kinds of software: two groups of app clients.
        scope: n % 2 === 0 ? "openid mcp-api/read" : "openid email mcp-api/read",
      }),
    );
  });
  await new Promise<void>((resolve) => documents.listen(0, "127.0.0.1", resolve));
  documentsOrigin = `http://127.0.0.1:${(documents.address() as AddressInfo).port}`;

  standIn = await startCognitoLocal(wrangler);
  await localSettings({ appClientQuota: APP_CLIENT_QUOTA });
  // dcr and mcp-rs keep their local state in one folder, so they share the KV namespace.
  persistTo = mkdtempSync(join(tmpdir(), "dcr-scale-"));
  const port = await findFreePort();
  issuer = `http://127.0.0.1:${port}`;
  dcr = await startDcr({
    port,
    persistTo,
    vars: {
      ISSUER: issuer,
      COGNITO_ISSUER: standIn.issuer,
      COGNITO_IDP_ENDPOINT: `${standIn.origin}/`,
      CIMD_ALLOW_LOCAL_URLS: "true",
    },
  });
  const started = await startMcpRs();
  mcpRs = started.worker;
  resource = started.resource;
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([mcpRs?.(), sharedMcpRs?.(), dcr?.dispose(), standIn?.stop()]);
  await new Promise((resolve) => documents?.close(resolve));
  if (persistTo) rmSync(persistTo, { recursive: true, force: true });
});

/** mcp-rs on a free port (its state in `persistTo` when given); its resource URL. */
async function startMcpRs(persist?: string) {
  // Cognito binds tokens (RFC 8707) only to https or http://localhost resources.
  const port = await findFreePort();
  const worker = await startLocalWorker(wrangler, "mcp-rs", {
    port,
    ...(persist ? { persistTo: persist } : {}),
    vars: { COGNITO_ISSUER: standIn.issuer, AUTHORIZATION_SERVER: issuer },
  });
  return { worker, resource: `http://localhost:${port}/mcp` };
}

async function localSettings(settings: Record<string, number>) {
  const res = await fetch(`${standIn.origin}/_local/settings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(settings),
  });
  expect(res.status).toBe(200);
}

async function callStats(): Promise<CallStats> {
  return (await (await fetch(`${standIn.origin}/_local/stats`)).json()) as CallStats;
}

let sources = 0;
/** A new source address: an IPv6 /64 of its own (the facade counts a /64 as one source). */
function newSource(): Record<string, string> {
  sources++;
  return { "CF-Connecting-IP": `2001:db8:${sources.toString(16)}::1` };
}

function register(body: Record<string, unknown>, headers: Record<string, string> = newSource()) {
  return fetch(`${issuer}/register`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function registered(body: Record<string, unknown>): Promise<Registered> {
  const res = await register(body);
  if (res.status !== 201) throw new Error(`registration: ${res.status} ${await res.text()}`);
  return (await res.json()) as Registered;
}

/** A client as the token endpoint knows it. */
interface TokenClient {
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method?: string;
}

/** Token-endpoint credentials of a client as it registered. */
function credentials(client: TokenClient): {
  form: Record<string, string>;
  options: TokenRequestOptions;
} {
  if (client.client_secret === undefined)
    return { form: { client_id: client.client_id }, options: {} };
  if (client.token_endpoint_auth_method === "client_secret_post")
    return {
      form: { client_id: client.client_id, client_secret: client.client_secret },
      options: {},
    };
  return {
    form: {},
    options: { basic: { clientId: client.client_id, clientSecret: client.client_secret } },
  };
}

/** Through the front door in `jar`'s browser, then the code redeemed: the client's tokens. */
async function signInThroughFrontDoor(
  client: TokenClient,
  jar: CookieJar,
  options: { headers?: Record<string, string>; resource?: string; scope?: string } = {},
) {
  const { code, verifier } = await signInWithPkce({
    issuer,
    clientId: client.client_id,
    redirectUri: LOOPBACK,
    scope: options.scope ?? "openid mcp-api/read",
    resource: options.resource ?? resource,
    jar,
    headers: options.headers ?? {},
    ...USER,
  });
  const auth = credentials(client);
  const res = await requestToken(
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
  if (res.status !== 200)
    throw Object.assign(new Error(`token: ${res.status} ${await res.text()}`), {
      status: res.status,
      retryAfter: Number(res.headers.get("retry-after") ?? 0),
    });
  return (await res.json()) as { access_token: string; refresh_token: string };
}

/** Sign-ins started again after a 503 with `Retry-After`, as a client would. */
let retriedAfter503 = 0;

/**
 * Runs a sign-in, and once more after `Retry-After` when the front door answered 503 (the local
 * workers under load sometimes drop a connection between them; the front door turns that into
 * 503 `temporarily_unavailable`, which a client is to retry).
 */
async function withRetryAfter<T>(signIn: () => Promise<T>): Promise<T> {
  try {
    return await signIn();
  } catch (error) {
    const { status, retryAfter } = error as { status?: number; retryAfter?: number };
    if (status !== 503 || !retryAfter) throw error;
    retriedAfter503++;
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    return signIn();
  }
}

/** `tools/call whoami` on mcp-rs: its status, and whom the token speaks for when it is a 200. */
async function whoami(accessToken: string, at = resource) {
  const send = () =>
    fetch(at, {
      method: "POST",
      headers: {
        authorization: `Bearer ${accessToken}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "whoami", arguments: {} },
      }),
    });
  let res = await send();
  let text = await res.text();
  if (res.status === 503 && text.startsWith(DEV_SERVER_RELOAD)) {
    res = await send();
    text = await res.text();
  }
  if (res.status !== 200) return { status: res.status, text };
  const body = JSON.parse(text) as {
    result?: { isError?: boolean; structuredContent?: { username?: string; client_id?: string } };
  };
  return {
    status: body.result?.isError ? 500 : 200,
    username: body.result?.structuredContent?.username,
    clientId: body.result?.structuredContent?.client_id,
    text,
  };
}

/** How many times each value occurs. */
function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Runs `task` over `items`, `lanes` at a time, each lane with its own browser. */
async function inLanes<T, R>(
  items: T[],
  lanes: number,
  task: (item: T, jar: CookieJar) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      const jar = new CookieJar();
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index] as T, jar);
      }
    }),
  );
  return results;
}

/** The app clients of the pool, as an operator lists them. */
async function appClients() {
  const clients: { ClientId: string; ClientName: string }[] = [];
  let nextToken: unknown;
  do {
    const page = await callIdp(standIn, "ListUserPoolClients", {
      MaxResults: 60,
      ...(nextToken ? { NextToken: nextToken } : {}),
    });
    expect(page.status).toBe(200);
    clients.push(...(page.body.UserPoolClients as { ClientId: string; ClientName: string }[]));
    nextToken = page.body.NextToken;
  } while (nextToken);
  return clients;
}

describe("far past the quota: the stand-in holds 20 app clients", () => {
  it(`${DCR_REGISTRATIONS} DCR registrations, ${CIMD_CLIENTS} CIMD client ids and the static client each sign in and call a tool`, async () => {
    const started = performance.now();
    // A third of the registrations are confidential: two groups of app clients.
    const clients: Registered[] = [];
    for (let i = 0; i < DCR_REGISTRATIONS; i++)
      clients.push(
        await registered({
          redirect_uris: [LOOPBACK],
          client_name: `Scale client ${i}`,
          token_endpoint_auth_method: i % 3 === 0 ? "client_secret_basic" : "none",
        }),
      );
    expect(new Set(clients.map((c) => c.client_id)).size).toBe(DCR_REGISTRATIONS);

    const dcrCalls = await inLanes(clients, LANES, async (client, jar) => {
      const tokens = await withRetryAfter(() => signInThroughFrontDoor(client, jar));
      return { client, tokens, call: await whoami(tokens.access_token) };
    });
    const cimdIds = Array.from(
      { length: CIMD_CLIENTS },
      (_, i) => `${documentsOrigin}/clients/${i}.json`,
    );
    // A CIMD client's first approval is limited like a registration: each from its own address.
    const cimdCalls = await inLanes(cimdIds, LANES, async (clientId, jar) => {
      const headers = newSource();
      const tokens = await withRetryAfter(() =>
        signInThroughFrontDoor({ client_id: clientId }, jar, { headers }),
      );
      return { clientId, tokens, call: await whoami(tokens.access_token) };
    });

    const discovery = (await (
      await fetch(`${standIn.issuer}/.well-known/openid-configuration`)
    ).json()) as { authorization_endpoint: string };
    const staticTokens = await signInAtCognito(new URL(discovery.authorization_endpoint).origin, {
      clientId: standInVars.STATIC_CLIENT_ID as string,
      clientSecret: standInVars.STATIC_CLIENT_SECRET as string,
      redirectUri: "http://localhost:3000/callback",
      scope: "openid mcp-api/read",
      resource,
      ...USER,
    });
    const staticCall = await whoami(staticTokens.access_token);
    const seconds = (performance.now() - started) / 1000;

    const failures = [...dcrCalls, ...cimdCalls].filter(
      (r) => r.call.status !== 200 || r.call.username !== USER.username,
    );
    expect(failures.map((f) => f.call.text?.slice(0, 200))).toEqual([]);
    expect(staticCall).toMatchObject({
      status: 200,
      username: USER.username,
      clientId: standInVars.STATIC_CLIENT_ID,
    });

    // Each token speaks for a shared app client: a handful of them serve everyone.
    const pool = await appClients();
    const shared = pool.filter((c) => c.ClientName.startsWith("dcr-shared "));
    expect(pool.length).toBeLessThanOrEqual(APP_CLIENT_QUOTA);
    const sharedIds = new Set(shared.map((c) => c.ClientId));
    for (const { call } of [...dcrCalls, ...cimdCalls]) expect(sharedIds).toContain(call.clientId);
    // Public and confidential DCR, and the CIMD documents' two scopes (one of which the public
    // DCR clients share): three groups of at most APP_CLIENTS_PER_GROUP (2) app clients.
    expect(shared.length).toBeLessThanOrEqual(6);
    const stats = await callStats();
    expect(stats.operations.CreateUserPoolClient?.accepted).toBe(shared.length);
    expect(stats.operations.CreateUserPoolClient?.throttled ?? 0).toBe(0);
    console.log(
      `scale: ${DCR_REGISTRATIONS} registrations, ${CIMD_CLIENTS} CIMD clients and the static client signed in and called whoami in ${seconds.toFixed(0)} s; ${shared.length} shared app clients (${pool.length} app clients in the pool, quota ${APP_CLIENT_QUOTA}); sign-ins tried again after a 503: ${retriedAfter503}`,
    );
  }, 900_000);
});

describe("deletion of a registration served by a shared app client", () => {
  it("its refresh token is refused at once; its access token stops working at mcp-rs within REVOCATION_MEMO_SECONDS (locally, no edge cache)", async () => {
    const shared = await startMcpRs(persistTo);
    sharedMcpRs = shared.worker;
    const client = await registered({
      redirect_uris: [LOOPBACK],
      token_endpoint_auth_method: "client_secret_basic",
    });
    const tokens = await signInThroughFrontDoor(client, new CookieJar(), {
      resource: shared.resource,
    });
    // Used at mcp-rs just now, so mcp-rs remembers it as not revoked: the worst case.
    expect((await whoami(tokens.access_token, shared.resource)).status).toBe(200);
    // mcp-rs writes its use marker after the response: let it land before dcr writes again.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const auth = credentials(client);
    const deleted = await fetch(client.registration_client_uri, {
      method: "DELETE",
      headers: { authorization: `Bearer ${client.registration_access_token}` },
    });
    expect(deleted.status).toBe(204);
    const deletedAt = performance.now();
    const refreshed = await requestToken(
      issuer,
      { ...auth.form, grant_type: "refresh_token", refresh_token: tokens.refresh_token },
      auth.options,
    );
    expect(refreshed.status).toBe(401);
    expect(((await refreshed.json()) as { error: string }).error).toBe("invalid_client");

    // The access token is still valid at Cognito (15 minutes); mcp-rs refuses it once it reads
    // the registration's tombstone. Polled once a second (a wire test cannot move mcp-rs's clock;
    // workers/mcp-rs/test/token-validation.test.ts moves it).
    let refusedAfterMs: number | undefined;
    while (performance.now() - deletedAt < (REVOCATION_MEMO_SECONDS + 10) * 1000) {
      const call = await whoami(tokens.access_token, shared.resource);
      if (call.status === 401) {
        refusedAfterMs = performance.now() - deletedAt;
        break;
      }
      expect(call.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(refusedAfterMs).toBeDefined();
    expect(refusedAfterMs).toBeLessThanOrEqual((REVOCATION_MEMO_SECONDS + 2) * 1000);
    console.log(
      `deletion: refresh refused at once; access token refused by mcp-rs after ${((refusedAfterMs ?? 0) / 1000).toFixed(1)} s`,
    );
    // Another registration of the same shared app client (two slots: found within a few) carries
    // on: the shared app client has no tombstone.
    const appClient = readJwtClaims(tokens.access_token).client_id;
    let neighbourCall: Awaited<ReturnType<typeof whoami>> | undefined;
    for (let i = 0; i < 12 && neighbourCall === undefined; i++) {
      const neighbour = await registered({
        redirect_uris: [LOOPBACK],
        token_endpoint_auth_method: "client_secret_basic",
      });
      const theirs = await signInThroughFrontDoor(neighbour, new CookieJar(), {
        resource: shared.resource,
      });
      if (readJwtClaims(theirs.access_token).client_id === appClient)
        neighbourCall = await whoami(theirs.access_token, shared.resource);
    }
    expect(neighbourCall?.status).toBe(200);
    await sharedMcpRs();
    sharedMcpRs = undefined;
  }, 120_000);
});

describe("bursts within Cognito's request limits", () => {
  it(`${BURST} registrations at once, then their ${BURST} first sign-ins at once beside ${BURST} more registrations: 201s or 429s with Retry-After, never a 5xx; never more Cognito calls a second than the limits`, async () => {
    // Room for the app clients this burst needs: the quota is another test's matter.
    await localSettings({ appClientQuota: 1000 });
    // Scopes no registration has asked for yet, public and confidential: 14 new groups of two app
    // clients each, all made in the burst, more than Cognito takes in a few seconds.
    const scopes = [
      "profile",
      "openid profile",
      "email profile",
      "openid email profile",
      "email",
      "openid email",
      "openid",
    ];
    const metadata = (i: number) => ({
      redirect_uris: [LOOPBACK],
      client_name: `Burst client ${i}`,
      token_endpoint_auth_method: i % 2 === 0 ? "none" : "client_secret_post",
      scope: `${scopes[Math.floor(i / 2) % scopes.length]} mcp-api/read`,
    });
    const registerAtOnce = (offset: number) =>
      Promise.all(Array.from({ length: BURST }, (_, i) => register(metadata(offset + i))));
    const expectCreatedOrLimited = (responses: Response[]) => {
      for (const res of responses) {
        expect([201, 429]).toContain(res.status);
        if (res.status === 429) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      }
    };
    const responses = await registerAtOnce(0);
    expectCreatedOrLimited(responses);
    const clients = (await Promise.all(
      responses.filter((r) => r.status === 201).map((r) => r.json()),
    )) as Registered[];

    const signIns = Promise.all(
      clients.map(async (client) => {
        const jar = new CookieJar();
        try {
          const tokens = await signInThroughFrontDoor(client, jar, { scope: "mcp-api/read" });
          return (await whoami(tokens.access_token)).status === 200 ? "signed in" : "refused";
        } catch (error) {
          // The front door may send the person back with temporarily_unavailable (a redirect
          // carries no 429); a 5xx page would fail the walk with its status.
          const text = String(error);
          if (text.includes("error=temporarily_unavailable")) return "temporarily_unavailable";
          return `failed: ${text.slice(0, 300)}`;
        }
      }),
    );
    const [outcomes, more] = await Promise.all([signIns, registerAtOnce(BURST)]);
    expectCreatedOrLimited(more);
    const statuses = [...responses, ...more].map((r) => r.status);
    const counts = tally(outcomes);
    const stats = await callStats();
    console.log(
      `burst: registrations ${JSON.stringify(tally(statuses.map(String)))}; sign-ins ${JSON.stringify(counts)}; Cognito: ${JSON.stringify(stats)}`,
    );
    expect(Object.keys(counts).filter((k) => k.startsWith("failed") || k === "refused")).toEqual(
      [],
    );
    expect(counts["signed in"]).toBeGreaterThan(0);
    // The stand-in throttles beyond 5 calls of an operation a second: none was needed.
    for (const [operation, count] of Object.entries(stats.operations)) {
      expect(count.throttled, operation).toBe(0);
      expect(count.peakPerSecond, operation).toBeLessThanOrEqual(5);
    }
    expect(stats.peakPerSecond).toBeLessThanOrEqual(15);
  }, 600_000);
});
