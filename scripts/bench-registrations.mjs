#!/usr/bin/env node
// `npm run bench:registrations`: workers/dcr in front of workers/cognito-local under wrangler
// (workerd) on loopback. Prints, in one run:
//   - registrations per second sustained (POST /register, each from its own address, for
//     BENCH_DURATION_MS at BENCH_CONCURRENCY);
//   - Cognito app clients used per 1,000 registrations: BENCH_SIGN_INS of those registrations (a
//     mix of public and confidential clients and scopes) each sign in once through the front door,
//     and the shared app clients in the pool are counted;
//   - the relay's added latency: a refresh through the front door's /token against a refresh
//     straight at Cognito's /oauth2/token (the static client), p50 and p99, in alternating rounds
//     of BENCH_RELAY_REQUESTS each.
// dcr's daily registration caps are turned off here: they are policy, not capacity. The clients,
// what is read back from the stand-in and the report are in scripts/bench/.
import { CookieJar, signInDemoUser } from "@mcp-cognito-workers/test-support/sign-in";
import { startFrontDoor } from "@mcp-cognito-workers/test-support/stack";
import { listAppClients, readIdpCallStats } from "./bench/cognito-pool.mjs";
import {
  registerClient,
  signInThroughFrontDoor,
  timeTokenRequest,
} from "./bench/front-door-client.mjs";
import { percentile } from "./bench/load.mjs";
import { formatRegistrationReport } from "./bench/registrations-report.mjs";
import { importWrangler, readWranglerVersion, workerConfigPath } from "./lib/wrangler.mjs";

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 1000);
const SIGN_IN_LANES = 6;
const SIGN_IN_SCOPE = "openid mcp-api/read";
const RELAY_ROUNDS = 10;
const RELAY_REQUESTS_PER_ROUND = Number(process.env.BENCH_RELAY_REQUESTS ?? 100);
/** Refreshes of each kind sent before the relay's rounds, not timed. */
const RELAY_WARMUPS = 20;

const wrangler = await importWrangler();
const dcrVars = wrangler.unstable_readConfig({ config: workerConfigPath("dcr") }).vars;

const disposers = [];
try {
  const frontDoor = await startFrontDoor(wrangler, {
    vars: { REGISTRATIONS_PER_DAY: "0", REGISTRATIONS_PER_SOURCE_PER_DAY: "0" },
  });
  disposers.push(frontDoor.stop);
  const { standIn: cognito, origin: dcrOrigin } = frontDoor;
  const user = { username: cognito.vars.DEMO_USERNAME, password: cognito.vars.DEMO_PASSWORD };

  // Each registration is numbered: its number picks its metadata and its source address.
  let next = 0;
  const register = () => registerClient(dcrOrigin, next++);

  // 1. Registrations per second, sustained.
  const registrations = await measureRegistrations(register);

  // 2. App clients used per 1,000 registrations: each of the first SIGN_INS signs in once.
  const sample = registrations.created.slice(0, SIGN_INS);
  while (sample.length < SIGN_INS) {
    const result = await register();
    if (result.status === 201) sample.push(result);
  }
  const signIns = await signInEach(sample, { issuer: dcrOrigin, user });
  const pool = await listAppClients(cognito);
  const shared = pool.filter((client) => client.ClientName.startsWith("dcr-shared "));
  const stats = await readIdpCallStats(cognito);

  // 3. The relay's added latency on a refresh: through the front door, and straight at Cognito.
  const confidential = sample.find(
    (r) => r.body.token_endpoint_auth_method === "client_secret_basic",
  ).body;
  const viaFacade = await signInThroughFrontDoor(dcrOrigin, confidential, {
    user,
    jar: new CookieJar(),
    scope: SIGN_IN_SCOPE,
  });
  const direct = await signInDemoUser(cognito, { scope: SIGN_IN_SCOPE });
  const relay = await measureRelay({
    direct: () =>
      timeTokenRequest(
        `${cognito.loginOrigin}/oauth2/token`,
        cognito.vars.STATIC_CLIENT_ID,
        cognito.vars.STATIC_CLIENT_SECRET,
        { grant_type: "refresh_token", refresh_token: direct.refresh_token },
      ),
    facade: () =>
      timeTokenRequest(`${dcrOrigin}/token`, confidential.client_id, confidential.client_secret, {
        grant_type: "refresh_token",
        refresh_token: viaFacade.refresh_token,
      }),
  });

  console.log(
    formatRegistrationReport({
      wranglerVersion: readWranglerVersion(),
      dcrVars,
      registrations: {
        count: registrations.created.length,
        seconds: registrations.seconds,
        concurrency: CONCURRENCY,
        statuses: registrations.statuses,
      },
      signIns: {
        registrations: sample.length,
        sharedClients: shared.length,
        seconds: signIns.seconds,
        failures: signIns.failures,
        createUserPoolClient: stats.operations.CreateUserPoolClient,
      },
      relay,
    }),
  );
  if (signIns.failures > 0 || relay.errors > 0) process.exitCode = 1;
} finally {
  for (const dispose of disposers.reverse()) await dispose().catch(() => {});
}

/**
 * After a warm-up of CONCURRENCY registrations, registers on CONCURRENCY lanes for DURATION_MS:
 * the registrations answered 201, every status counted, and the seconds it took.
 * @param {() => Promise<{status: number, body: any, n: number}>} register
 */
async function measureRegistrations(register) {
  await Promise.all(Array.from({ length: CONCURRENCY }, () => register()));
  const created = [];
  const statuses = {};
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const result = await register();
        statuses[result.status] = (statuses[result.status] ?? 0) + 1;
        if (result.status === 201) created.push(result);
      }
    }),
  );
  return { created, statuses, seconds: (performance.now() - started) / 1000 };
}

/**
 * Signs each registration of `sample` in once through the front door, on SIGN_IN_LANES browsers
 * at once; the seconds it took and how many failed (the first three printed).
 * @param {{body: any}[]} sample
 * @param {{issuer: string, user: {username: string, password: string}}} options
 */
async function signInEach(sample, options) {
  const started = performance.now();
  let cursor = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: SIGN_IN_LANES }, async () => {
      const jar = new CookieJar();
      while (cursor < sample.length) {
        const { body } = sample[cursor++];
        try {
          await signInThroughFrontDoor(options.issuer, body, {
            user: options.user,
            jar,
            scope: SIGN_IN_SCOPE,
          });
        } catch (error) {
          failures++;
          if (failures <= 3) console.error(String(error).slice(0, 300));
        }
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, failures };
}

/**
 * Times the two kinds of refresh one request at a time, after RELAY_WARMUPS of each, in
 * RELAY_ROUNDS alternating rounds of RELAY_REQUESTS_PER_ROUND, so that a change of background load
 * hits both alike: p50 and p99 of each, and the refreshes not answered 200.
 * @param {{direct: () => Promise<{ms: number, ok: boolean}>, facade: () => Promise<{ms: number, ok: boolean}>}} refresh
 */
async function measureRelay(refresh) {
  for (let i = 0; i < RELAY_WARMUPS; i++) await Promise.all([refresh.facade(), refresh.direct()]);
  const times = { direct: [], facade: [] };
  let errors = 0;
  for (let round = 0; round < RELAY_ROUNDS; round++)
    for (const kind of ["direct", "facade"])
      for (let i = 0; i < RELAY_REQUESTS_PER_ROUND; i++) {
        const { ms, ok } = await refresh[kind]();
        if (!ok) errors++;
        times[kind].push(ms);
      }
  const summarize = (kind) => {
    const sorted = times[kind].sort((a, b) => a - b);
    return {
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      requests: sorted.length,
    };
  };
  return { direct: summarize("direct"), facade: summarize("facade"), errors };
}
