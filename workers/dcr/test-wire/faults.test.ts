// Faults on the wire: workers/dcr in front of workers/cognito-local, each under wrangler on its own
// loopback port. A KV write that fails in the middle of a registration (the local KV store made
// unwritable) must leave no Cognito app client behind; and with Cognito stopped, dcr must answer
// 503 with Retry-After (or, on the authorization redirect, `temporarily_unavailable`), never 500.
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callIdp } from "@mcp-cognito-workers/test-support/idp";
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import { CookieJar } from "@mcp-cognito-workers/test-support/sign-in";
import { readWorkerVars, startCognitoLocal } from "@mcp-cognito-workers/test-support/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";
import { buildAuthorizationUrl, requestToken, signInWithPkce, startDcr } from "./local-stack";

const standInVars = readWorkerVars(wrangler, "cognito-local");

interface Registered {
  client_id: string;
  client_secret?: string;
  registration_access_token: string;
  registration_client_uri: string;
}

const USER = {
  username: standInVars.DEMO_USERNAME as string,
  password: standInVars.DEMO_PASSWORD as string,
};
const LOOPBACK = "http://127.0.0.1:33418/cb";
/** The prefix of every app client dcr creates (`COGNITO_CLIENT_NAME_PREFIX`). */
const DCR_PREFIX = "dcr-";
const TWO_HOURS_MS = 2 * 60 * 60 * 1000;

let standIn: Awaited<ReturnType<typeof startCognitoLocal>>;
let standInStopped: Promise<void> | undefined;
/** A facade whose KV is kept on disk (so that the test can make it unwritable). */
let warm: Awaited<ReturnType<typeof startFrontDoor>>;
/** A facade that never fetches Cognito's discovery document before Cognito stops. */
let cold: Awaited<ReturnType<typeof startFrontDoor>>;
let persistTo: string;
/** Serves a Client ID Metadata Document on 127.0.0.1. */
let documents: Server;
let documentUrl: string;

async function startFrontDoor(options: { persistTo?: string } = {}) {
  const port = await findFreePort();
  const issuer = `http://127.0.0.1:${port}`;
  const dcr = await startDcr({
    port,
    ...options,
    testScheduled: true,
    vars: {
      ISSUER: issuer,
      COGNITO_ISSUER: standIn.issuer,
      COGNITO_IDP_ENDPOINT: `${standIn.origin}/`,
      CIMD_ALLOW_LOCAL_URLS: "true",
    },
  });
  return { issuer, dispose: dcr.dispose };
}

function stopStandIn(): Promise<void> {
  standInStopped ??= standIn?.stop() ?? Promise.resolve();
  return standInStopped;
}

beforeAll(async () => {
  documents = createServer((req, res) => {
    if (req.url !== "/client.json") {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        client_id: documentUrl,
        client_name: "Faults CIMD client",
        redirect_uris: [LOOPBACK],
        token_endpoint_auth_method: "none",
      }),
    );
  });
  await new Promise<void>((resolve) => documents.listen(0, "127.0.0.1", resolve));
  documentUrl = `http://127.0.0.1:${(documents.address() as AddressInfo).port}/client.json`;
  standIn = await startCognitoLocal(wrangler);
  persistTo = mkdtempSync(join(tmpdir(), "dcr-faults-"));
  warm = await startFrontDoor({ persistTo });
  cold = await startFrontDoor();
});

afterAll(async () => {
  await Promise.allSettled([warm?.dispose(), cold?.dispose(), stopStandIn()]);
  await new Promise((resolve) => documents?.close(resolve));
  if (persistTo) rmSync(persistTo, { recursive: true, force: true });
});

function register(issuer: string, body: Record<string, unknown>) {
  return fetch(`${issuer}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function registered(issuer: string, body: Record<string, unknown>): Promise<Registered> {
  const res = await register(issuer, body);
  if (res.status !== 201)
    throw new Error(`registration answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Registered;
}

/** The ids of the app clients named `dcr-…` in the stand-in's pool, as an operator lists them. */
async function dcrAppClients(): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: unknown;
  do {
    const page = await callIdp(standIn, "ListUserPoolClients", {
      MaxResults: 60,
      ...(nextToken ? { NextToken: nextToken } : {}),
    });
    expect(page.status).toBe(200);
    const clients = page.body.UserPoolClients as { ClientId: string; ClientName: string }[];
    for (const client of clients)
      if (client.ClientName.startsWith(DCR_PREFIX)) ids.push(client.ClientId);
    nextToken = page.body.NextToken;
  } while (nextToken);
  return ids.sort();
}

/** Whether dcr still has the registration record of a client (RFC 7592 read). */
async function hasRecord(client: Registered): Promise<boolean> {
  const res = await fetch(client.registration_client_uri, {
    headers: { authorization: `Bearer ${client.registration_access_token}` },
  });
  await res.body?.cancel();
  if (res.status !== 200 && res.status !== 401) throw new Error(`RFC 7592 read: ${res.status}`);
  return res.status === 200;
}

/**
 * Makes the warm facade's local KV store unable to write a value: miniflare keeps each value in a
 * file under `<persistTo>/v3/kv/<namespace>/blobs/`, and that folder is swapped for a plain file.
 * Returns the function that puts the folder back.
 */
function breakKvWrites(): () => void {
  const root = join(persistTo, "v3", "kv");
  const folders = readdirSync(root)
    .filter((name) => !name.startsWith("miniflare-"))
    .map((name) => join(root, name, "blobs"))
    .filter((path) => existsSync(path));
  expect(folders, "one KV namespace folder with values under v3/kv").toHaveLength(1);
  const blobs = folders[0] as string;
  renameSync(blobs, `${blobs}.away`);
  writeFileSync(blobs, "");
  return () => {
    rmSync(blobs, { force: true });
    renameSync(`${blobs}.away`, blobs);
  };
}

describe("a KV write that fails during registration leaves nothing in Cognito", () => {
  it("answers 500, and the reconciliation deletes an orphaned facade client all the same", async () => {
    const kept = await registered(warm.issuer, {
      redirect_uris: [LOOPBACK],
      token_endpoint_auth_method: "none",
      client_name: "Kept",
    });
    const restore = breakKvWrites();
    let failed: Response;
    try {
      failed = await register(warm.issuer, {
        redirect_uris: [LOOPBACK],
        token_endpoint_auth_method: "none",
        client_name: "Lost write",
      });
    } finally {
      restore();
    }
    // A registration makes no app client: only its record, whose write failed.
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({
      error: "server_error",
      error_description: "the client could not be registered; retry later",
    });
    expect(await dcrAppClients()).toEqual([]);
    expect(await hasRecord(kept)).toBe(true);

    // A facade-named app client that no record or shared slot knows (a shared app client whose
    // slot could not be recorded, say): one made here, two hours old (past the one-hour grace).
    const setClock = (clockOffsetMs: number) =>
      fetch(`${standIn.origin}/_local/settings`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ clockOffsetMs }),
      });
    expect((await setClock(-TWO_HOURS_MS)).status).toBe(200);
    const orphan = await callIdp(
      standIn,
      "CreateUserPoolClient",
      { ClientName: `${DCR_PREFIX}Lost write` },
      { offsetMs: -TWO_HOURS_MS },
    ).finally(() => setClock(0));
    expect(orphan.status).toBe(200);
    const orphanId = (orphan.body.UserPoolClient as { ClientId: string }).ClientId;
    expect(await dcrAppClients()).toEqual([orphanId]);

    const cron = await fetch(`${warm.issuer}/__scheduled?cron=${encodeURIComponent("17 3 * * *")}`);
    expect(cron.status).toBe(200);
    await cron.body?.cancel();
    expect(await dcrAppClients()).toEqual([]);
    expect(await hasRecord(kept)).toBe(true);
  });
});

describe("Cognito down: 503 with Retry-After, never a 500", () => {
  /** A confidential client signed in through the warm facade before Cognito stops. */
  let signedIn: { client: Registered; refreshToken: string };
  /** A client of the cold facade, registered without its discovery ever being fetched. */
  let coldClient: Registered;

  function expectUnavailable(res: Response, body: unknown) {
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(body).toMatchObject({ error: "temporarily_unavailable" });
  }

  const json = async (res: Response) => res.json().catch(() => undefined);

  it("signs in and registers while Cognito is up, then stops it", async () => {
    const client = await registered(warm.issuer, {
      redirect_uris: [LOOPBACK],
      token_endpoint_auth_method: "client_secret_basic",
      client_name: "Before the outage",
    });
    const basic = { clientId: client.client_id, clientSecret: client.client_secret as string };
    const { code, verifier } = await signInWithPkce({
      ...USER,
      issuer: warm.issuer,
      clientId: client.client_id,
      redirectUri: LOOPBACK,
    });
    const tokens = await requestToken(
      warm.issuer,
      { grant_type: "authorization_code", code, redirect_uri: LOOPBACK, code_verifier: verifier },
      { basic },
    );
    expect(tokens.status).toBe(200);
    const { refresh_token } = (await tokens.json()) as { refresh_token: string };
    signedIn = { client, refreshToken: refresh_token };
    coldClient = await registered(cold.issuer, {
      redirect_uris: [LOOPBACK],
      token_endpoint_auth_method: "none",
      client_name: "Cold",
    });

    await stopStandIn();
    expect(await fetch(`${standIn.issuer}/.well-known/jwks.json`).catch(() => "down")).toBe("down");
  });

  it("POST /register still registers: it needs nothing of Cognito", async () => {
    expect(signedIn).toBeDefined();
    for (const issuer of [warm.issuer, cold.issuer]) {
      const res = await register(issuer, { redirect_uris: [LOOPBACK], client_name: "Outage" });
      expect(res.status).toBe(201);
    }
  });

  it("metadata: the warm copy is served; without one, 503 with Retry-After", async () => {
    const served = await fetch(`${warm.issuer}/.well-known/oauth-authorization-server`);
    expect(served.status).toBe(200);
    expect(((await served.json()) as { issuer: string }).issuer).toBe(warm.issuer);
    const res = await fetch(`${cold.issuer}/.well-known/oauth-authorization-server`);
    expectUnavailable(res, await json(res));
  });

  it("POST /token: 503 with Retry-After, whether the relay or discovery fails", async () => {
    const basic = {
      clientId: signedIn.client.client_id,
      clientSecret: signedIn.client.client_secret as string,
    };
    const relayed = await requestToken(
      warm.issuer,
      { grant_type: "refresh_token", refresh_token: signedIn.refreshToken },
      { basic },
    );
    expectUnavailable(relayed, await json(relayed));
    const fromCold = await requestToken(cold.issuer, {
      grant_type: "refresh_token",
      refresh_token: "a-refresh-token",
      client_id: coldClient.client_id,
    });
    expectUnavailable(fromCold, await json(fromCold));
  });

  it("/authorize: approval sends a known client on to Cognito, a new CIMD client back with temporarily_unavailable; cold, 503", async () => {
    /** Walks to the consent page and approves; returns the answer to the approval. */
    const approve = async (clientId: string) => {
      const jar = new CookieJar();
      const { url, state } = buildAuthorizationUrl({
        issuer: warm.issuer,
        clientId,
        redirectUri: LOOPBACK,
      });
      const page = await jar.send(url);
      expect(page.status).toBe(200);
      const transaction = /name="transaction" value="([^"]+)"/.exec(await page.text())?.[1];
      expect(transaction, "a consent page").toBeDefined();
      const answer = await jar.send(`${warm.issuer}/authorize/decision`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: warm.issuer },
        body: new URLSearchParams({
          transaction: (transaction as string).replace(/&amp;/g, "&"),
          decision: "approve",
        }).toString(),
      });
      return { answer, state };
    };

    // A registration already on the relay needs nothing from Cognito's API: on to its login.
    const known = await approve(signedIn.client.client_id);
    expect(known.answer.status).toBe(302);
    const toLogin = new URL(known.answer.headers.get("location") ?? "");
    expect(`${toLogin.origin}${toLogin.pathname}`).toBe(`${standIn.loginOrigin}/oauth2/authorize`);

    // A CIMD client's first use creates its app client, which fails: the client hears
    // temporarily_unavailable (RFC 6749 §4.1.2.1: a redirect cannot carry a 503).
    const first = await approve(documentUrl);
    expect(first.answer.status).toBe(302);
    const back = new URL(first.answer.headers.get("location") ?? "");
    expect(`${back.origin}${back.pathname}`).toBe(LOOPBACK);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({
      error: "temporarily_unavailable",
      state: first.state,
      iss: warm.issuer,
    });

    // Without Cognito's discovery, the front door cannot even show the consent page.
    const { url } = buildAuthorizationUrl({
      issuer: cold.issuer,
      clientId: coldClient.client_id,
      redirectUri: LOOPBACK,
    });
    const res = await fetch(url, { redirect: "manual" });
    expectUnavailable(res, await json(res));
  });
});
