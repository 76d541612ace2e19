#!/usr/bin/env node
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
// `npm run bench:registrations`: workers/dcr in front of workers/cognito-local under wrangler
// (workerd) on loopback. Prints, in one run:
//   - registrations per second sustained (POST /register, each from its own address, for
//     BENCH_DURATION_MS at BENCH_CONCURRENCY);
//   - Cognito app clients used per 1,000 registrations: BENCH_SIGN_INS of those registrations (a
//     mix of public and confidential clients and scopes) each sign in once through the front door,
//     and the shared app clients in the pool are counted;
//   - the relay's added latency: a refresh through the front door's /token against a refresh
//     straight at Cognito's /oauth2/token (the static client), p50 and p99, in alternating rounds.
// dcr's daily registration caps are turned off here: they are policy, not capacity.
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  authorizeThroughFrontDoor,
  CookieJar,
} from "../workers/dcr/test-wire/front-door-sign-in.mjs";
import { signIn } from "../workers/mcp-rs/test-wire/sign-in.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "workers", "dcr", "package.json"));
const { unstable_readConfig, unstable_startWorker } = await import(require.resolve("wrangler"));

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 1000);
const SIGN_IN_LANES = 6;
const RELAY_ROUNDS = 10;
const RELAY_REQUESTS_PER_ROUND = Number(process.env.BENCH_RELAY_REQUESTS ?? 100);
const LOOPBACK = "http://127.0.0.1:33418/cb";

const cognitoConfig = join(root, "workers", "cognito-local", "wrangler.toml");
const dcrConfig = join(root, "workers", "dcr", "wrangler.toml");
const cognitoVars = unstable_readConfig({ config: cognitoConfig }).vars;
const dcrVars = unstable_readConfig({ config: dcrConfig }).vars;
const USER = { username: cognitoVars.DEMO_USERNAME, password: cognitoVars.DEMO_PASSWORD };

/** The metadata of the n-th registration: mostly public clients, as MCP clients are. */
function metadataOf(n) {
  const kind = n % 20;
  if (kind < 12) return { redirect_uris: [LOOPBACK], token_endpoint_auth_method: "none" };
  if (kind < 17)
    return { redirect_uris: [LOOPBACK], token_endpoint_auth_method: "client_secret_basic" };
  if (kind < 19)
    return {
      redirect_uris: [LOOPBACK],
      token_endpoint_auth_method: "none",
      scope: "openid profile mcp-api/read",
    };
  return {
    redirect_uris: [LOOPBACK],
    token_endpoint_auth_method: "client_secret_post",
    scope: "openid email mcp-api/read mcp-api/write",
  };
}

const disposers = [];
try {
  const cognitoPort = await freePort();
  const cognitoOrigin = `http://127.0.0.1:${cognitoPort}`;
  const cognito = await startWorker(cognitoConfig, cognitoPort, {
    PUBLIC_ORIGIN: cognitoOrigin,
    LOGIN_ORIGIN: `http://localhost:${cognitoPort}`,
  });
  disposers.push(() => cognito.dispose());
  const issuer = `${cognitoOrigin}/${cognitoVars.USER_POOL_ID}`;
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const loginOrigin = new URL(discovery.authorization_endpoint).origin;

  const dcrPort = await freePort();
  const dcrOrigin = `http://127.0.0.1:${dcrPort}`;
  const dcr = await startWorker(dcrConfig, dcrPort, {
    ISSUER: dcrOrigin,
    COGNITO_ISSUER: issuer,
    COGNITO_IDP_ENDPOINT: `${cognitoOrigin}/`,
    REGISTRATIONS_PER_DAY: "0",
    REGISTRATIONS_PER_SOURCE_PER_DAY: "0",
  });
  disposers.push(() => dcr.dispose());

  // 1. Registrations per second, sustained.
  let sources = 0;
  const register = async (n) => {
    sources++;
    const res = await fetch(`${dcrOrigin}/register`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "CF-Connecting-IP": `2001:db8:${(sources >> 16).toString(16)}:${(sources & 0xffff).toString(16)}::1`,
      },
      body: JSON.stringify({ ...metadataOf(n), client_name: `Bench client ${n}` }),
    });
    const body = await res.json();
    return { status: res.status, body, n };
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => register(i))); // warm-up
  const registrations = [];
  const statuses = {};
  const started = performance.now();
  const deadline = started + DURATION_MS;
  let next = CONCURRENCY;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const result = await register(next++);
        statuses[result.status] = (statuses[result.status] ?? 0) + 1;
        if (result.status === 201) registrations.push(result);
      }
    }),
  );
  const registrationSeconds = (performance.now() - started) / 1000;
  const perSecond = registrations.length / registrationSeconds;

  // 2. App clients used per 1,000 registrations: each of the first SIGN_INS signs in once.
  const sample = registrations.slice(0, SIGN_INS);
  while (sample.length < SIGN_INS) {
    const result = await register(next++);
    if (result.status === 201) sample.push(result);
  }
  const signInStarted = performance.now();
  let cursor = 0;
  let signInFailures = 0;
  await Promise.all(
    Array.from({ length: SIGN_IN_LANES }, async () => {
      const jar = new CookieJar();
      while (cursor < sample.length) {
        const { body } = sample[cursor++];
        try {
          await frontDoorSignIn(dcrOrigin, body, jar, "openid mcp-api/read");
        } catch (error) {
          signInFailures++;
          if (signInFailures <= 3) console.error(String(error).slice(0, 300));
        }
      }
    }),
  );
  const signInSeconds = (performance.now() - signInStarted) / 1000;
  const pool = await listAppClients(cognitoOrigin);
  const shared = pool.filter((client) => client.ClientName.startsWith("dcr-shared "));
  const stats = await (await fetch(`${cognitoOrigin}/_local/stats`)).json();

  // 3. The relay's added latency on a refresh: through the front door, and straight at Cognito.
  const confidential = sample.find(
    (r) => r.body.token_endpoint_auth_method === "client_secret_basic",
  );
  const viaFacade = await frontDoorSignIn(
    dcrOrigin,
    confidential.body,
    new CookieJar(),
    "openid mcp-api/read",
  );
  const direct = await signIn(loginOrigin, {
    clientId: cognitoVars.STATIC_CLIENT_ID,
    clientSecret: cognitoVars.STATIC_CLIENT_SECRET,
    redirectUri: "http://localhost:3000/callback",
    scope: "openid mcp-api/read",
    ...USER,
  });
  const refreshFacade = () =>
    timedPost(`${dcrOrigin}/token`, confidential.body.client_id, confidential.body.client_secret, {
      grant_type: "refresh_token",
      refresh_token: viaFacade.refresh_token,
    });
  const refreshDirect = () =>
    timedPost(
      `${loginOrigin}/oauth2/token`,
      cognitoVars.STATIC_CLIENT_ID,
      cognitoVars.STATIC_CLIENT_SECRET,
      {
        grant_type: "refresh_token",
        refresh_token: direct.refresh_token,
      },
    );
  for (let i = 0; i < 20; i++) await Promise.all([refreshFacade(), refreshDirect()]); // warm-up
  const facadeTimes = [];
  const directTimes = [];
  let relayErrors = 0;
  for (let round = 0; round < RELAY_ROUNDS; round++) {
    for (const [times, call] of [
      [directTimes, refreshDirect],
      [facadeTimes, refreshFacade],
    ])
      for (let i = 0; i < RELAY_REQUESTS_PER_ROUND; i++) {
        const { ms, ok } = await call();
        if (!ok) relayErrors++;
        times.push(ms);
      }
  }
  const f = summarize(facadeTimes);
  const d = summarize(directTimes);

  const wrangler = require("wrangler/package.json").version;
  console.log(
    [
      "",
      `Registration benchmark: workerd via wrangler ${wrangler}, Node ${process.version}; dcr's defaults (APP_CLIENTS_PER_GROUP ${dcrVars.APP_CLIENTS_PER_GROUP}, Cognito calls ${dcrVars.COGNITO_CALLS_PER_SECOND}/s per operation), daily caps off`,
      `registrations sustained            ${perSecond.toFixed(0)}/s (${registrations.length} in ${registrationSeconds.toFixed(1)} s, ${CONCURRENCY} at once, statuses ${JSON.stringify(statuses)})`,
      `${sample.length === 1000 ? "app clients per 1,000 registrations" : `app clients for ${sample.length} registrations`.padEnd(35)} ${shared.length} (shared, after each registration's first sign-in, ${signInSeconds.toFixed(0)} s, ${signInFailures} failed; CreateUserPoolClient calls ${stats.operations.CreateUserPoolClient?.accepted ?? 0}, throttled ${stats.operations.CreateUserPoolClient?.throttled ?? 0})`,
      `refresh straight at Cognito         p50 ${d.p50.toFixed(2)} ms  p99 ${d.p99.toFixed(2)} ms (${directTimes.length} requests)`,
      `refresh through the front door      p50 ${f.p50.toFixed(2)} ms  p99 ${f.p99.toFixed(2)} ms (${facadeTimes.length} requests)`,
      `relay's added latency               p50 ${(f.p50 - d.p50).toFixed(2)} ms  p99 ${(f.p99 - d.p99).toFixed(2)} ms (errors ${relayErrors})`,
      "",
    ].join("\n"),
  );
  if (signInFailures > 0 || relayErrors > 0) process.exitCode = 1;
} finally {
  for (const dispose of disposers.reverse()) await dispose().catch(() => {});
}

/** One sign-in of a registered client through the front door, the code redeemed: its tokens. */
async function frontDoorSignIn(issuer, client, jar, scope) {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL("/authorize", issuer);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: LOOPBACK,
    scope,
    state: randomBytes(8).toString("base64url"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  const { location } = await authorizeThroughFrontDoor(url.href, { ...USER, jar });
  const code = location.searchParams.get("code");
  if (!code) throw new Error(`no code in ${location}`);
  const form = {
    grant_type: "authorization_code",
    code,
    redirect_uri: LOOPBACK,
    code_verifier: verifier,
  };
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  if (client.token_endpoint_auth_method === "client_secret_basic")
    headers.authorization = basic(client.client_id, client.client_secret);
  else if (client.token_endpoint_auth_method === "client_secret_post")
    Object.assign(form, { client_id: client.client_id, client_secret: client.client_secret });
  else form.client_id = client.client_id;
  const res = await fetch(`${issuer}/token`, {
    method: "POST",
    headers,
    body: new URLSearchParams(form).toString(),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return res.json();
}

/** `Authorization: Basic` with the form-encoded id and secret (RFC 6749 §2.3.1). */
function basic(id, secret) {
  const encode = (value) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}

/** POSTs a token request with Basic credentials; its time in milliseconds and whether it was a 200. */
async function timedPost(url, clientId, clientSecret, form) {
  const started = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: basic(clientId, clientSecret),
    },
    body: new URLSearchParams(form).toString(),
  });
  await res.text();
  return { ms: performance.now() - started, ok: res.status === 200 };
}

function summarize(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

/** Every app client of the stand-in's pool, through its IdP API. */
async function listAppClients(origin) {
  const { AwsClient } = await import(require.resolve("aws4fetch"));
  const aws = new AwsClient({
    accessKeyId: cognitoVars.LOCAL_ACCESS_KEY_ID,
    secretAccessKey: cognitoVars.LOCAL_SECRET_ACCESS_KEY,
    service: "cognito-idp",
    region: cognitoVars.AWS_REGION,
  });
  const clients = [];
  let nextToken;
  do {
    const res = await aws.fetch(`${origin}/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSCognitoIdentityProviderService.ListUserPoolClients",
      },
      body: JSON.stringify({
        UserPoolId: cognitoVars.USER_POOL_ID,
        MaxResults: 60,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    });
    const body = await res.json();
    clients.push(...(body.UserPoolClients ?? []));
    nextToken = body.NextToken;
  } while (nextToken);
  return clients;
}

async function startWorker(config, port, vars) {
  const worker = await unstable_startWorker({
    config,
    bindings: Object.fromEntries(
      Object.entries(vars).map(([name, value]) => [name, { type: "plain_text", value }]),
    ),
    dev: {
      server: { hostname: "127.0.0.1", port },
      inspector: false,
      persist: false,
      watch: false,
      logLevel: "error",
    },
  });
  await worker.ready;
  return worker;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
