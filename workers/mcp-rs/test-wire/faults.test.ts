// Faults under load, on the wire: workers/mcp-rs in front of workers/cognito-local (each under
// wrangler on a loopback port), called with `tools/call whoami` by up to 8 callers at once while
// the stand-in rotates its signing keys, drops the old ones, and then stops. Every load loop is
// bounded in time and in requests; the figures are printed for docs/operations.md.
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import { signInDemoUser } from "@mcp-cognito-workers/test-support/sign-in";
import {
  readWorkerVars,
  startCognitoLocal,
  startLocalWorker,
} from "@mcp-cognito-workers/test-support/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";
import { JWKS_COOLDOWN_SECONDS } from "../src/auth/jwks";

const READ_SCOPE = readWorkerVars(wrangler, "mcp-rs").READ_SCOPE as string;
const CONCURRENCY = 8;
/** The rotation phase: load for this long, the rotation this far into it. */
const ROTATION_LOAD_MS = 20_000;
const ROTATE_AFTER_MS = 3_000;
/** New tokens (signed by the new key) join the load this often after the rotation. */
const SIGN_IN_EVERY_MS = 3_000;
/** After the drop, a refetch is due within the cooldown; 10 s more for a slow machine. */
const DROP_WAIT_MS = (JWKS_COOLDOWN_SECONDS + 10) * 1000;
/** Load kept up after the dropped keys are first refused, to see that they stay refused. */
const AFTER_SWITCH_MS = 3_000;
const OUTAGE_LOAD_MS = 5_000;
/** Requests in any one loop at most. */
const MAX_REQUESTS = 8_000;

/** An access token in the load, with the `kid` that signed it. */
interface LoadToken {
  accessToken: string;
  kid: string;
}

/** One request of a load run; times in ms from `performance.now()`. */
interface Sample {
  kid: string;
  sentAt: number;
  doneAt: number;
  status: number;
  /** 200 with whoami's answer for the demo user. */
  ok: boolean;
  challenge: string | null;
  /** The start of the body when it is not a 200, for failure messages. */
  detail?: string;
}

/** Options of {@link runLoad}. */
interface LoadOptions {
  /** Tokens to cycle through; tokens pushed while the load runs join it. */
  tokens: LoadToken[];
  durationMs: number;
  concurrency: number;
  /** Pause of each caller between its requests. */
  pauseMs?: number;
  /** Ends the load early once it returns true (checked after each request). */
  until?: (samples: Sample[]) => boolean;
}

let standIn: Awaited<ReturnType<typeof startCognitoLocal>>;
let stopMcpRs: (() => Promise<void>) | undefined;
/** What clients call, `http://localhost:<port>/mcp` (tokens are bound to it). */
let mcpUrl: string;

const WHOAMI = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "whoami", arguments: {} },
});

function kidOf(jwt: string): string {
  const header = JSON.parse(Buffer.from(jwt.split(".")[0] ?? "", "base64url").toString()) as {
    kid?: unknown;
  };
  return String(header.kid);
}

/** A fresh access token for the demo user through the static client, as a browser signs in. */
async function newToken(): Promise<LoadToken> {
  const tokens = await signInDemoUser(standIn, { scope: `openid ${READ_SCOPE}`, resource: mcpUrl });
  return { accessToken: tokens.access_token, kid: kidOf(tokens.access_token) };
}

/**
 * What wrangler's dev proxy (not mcp-rs) answers, with a 503, to a POST in flight while it
 * reloads the worker because a source file changed under it.
 */
const DEV_SERVER_RELOAD = "Your worker restarted mid-request";
/** Requests sent again after a reload of the dev server. */
let devServerReloads = 0;

async function whoami(token: LoadToken): Promise<Sample> {
  const sentAt = performance.now();
  const send = () =>
    fetch(mcpUrl, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token.accessToken}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: WHOAMI,
    });
  let res = await send();
  let text = await res.text();
  if (res.status === 503 && text.startsWith(DEV_SERVER_RELOAD)) {
    devServerReloads++;
    res = await send();
    text = await res.text();
  }
  let ok = false;
  if (res.status === 200) {
    const body = JSON.parse(text) as {
      result?: { isError?: boolean; structuredContent?: { username?: string } };
    };
    ok = !body.result?.isError && body.result?.structuredContent?.username === "demo";
  }
  return {
    kid: token.kid,
    sentAt,
    doneAt: performance.now(),
    status: res.status,
    ok,
    challenge: res.headers.get("www-authenticate"),
    ...(res.status !== 200 ? { detail: text.slice(0, 200) } : {}),
  };
}

/** Runs `concurrency` callers in a loop over the tokens until the time or request bound. */
async function runLoad(options: LoadOptions): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = performance.now() + options.durationMs;
  let sent = 0;
  let stop = false;
  const caller = async () => {
    while (!stop && performance.now() < deadline && sent < MAX_REQUESTS) {
      const token = options.tokens[sent++ % options.tokens.length] as LoadToken;
      samples.push(await whoami(token));
      if (options.until?.(samples)) stop = true;
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  return samples;
}

/** The first few refusals and how many there were, for a failure message. */
function describeFailures(samples: Sample[]): string {
  const lines = samples
    .slice(0, 3)
    .map((s) => `${s.status} (kid ${s.kid.slice(0, 8)}…) ${s.challenge} ${s.detail ?? ""}`);
  return `${samples.length} failed, e.g.:\n${lines.join("\n")}`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Prints a phase's figures: requests, how many were refused, latency p50 and p99. */
function report(phase: string, samples: Sample[], refused: number, extra = "") {
  const latencies = samples.map((s) => s.doneAt - s.sentAt).sort((a, b) => a - b);
  const seconds =
    (Math.max(...samples.map((s) => s.doneAt)) - Math.min(...samples.map((s) => s.sentAt))) / 1000;
  console.log(
    `[faults] ${phase}: ${samples.length} requests in ${seconds.toFixed(1)} s ` +
      `(${(samples.length / seconds).toFixed(0)}/s), ${refused} refused, ` +
      `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms${extra}` +
      (devServerReloads > 0 ? ` [dev server reloads so far: ${devServerReloads}]` : ""),
  );
}

async function rotateKeys(body: Record<string, unknown>) {
  const res = await fetch(`${standIn.origin}/_local/keys/rotate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { access: string; retired: string[] };
}

async function publishedKids(): Promise<string[]> {
  const res = await fetch(`${standIn.issuer}/.well-known/jwks.json`);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
}

beforeAll(async () => {
  standIn = await startCognitoLocal(wrangler);
  // Cognito binds tokens (RFC 8707) only to https or http://localhost resources.
  const port = await findFreePort();
  mcpUrl = `http://localhost:${port}/mcp`;
  try {
    stopMcpRs = await startLocalWorker(wrangler, "mcp-rs", {
      port,
      vars: { COGNITO_ISSUER: standIn.issuer },
    });
  } catch (error) {
    await standIn.stop();
    throw error;
  }
});

let standInStopped: Promise<void> | undefined;

/** Stops the stand-in once (the outage test, or the end of the file). */
function stopStandIn(): Promise<void> {
  standInStopped ??= standIn?.stop() ?? Promise.resolve();
  return standInStopped;
}

afterAll(async () => {
  await Promise.allSettled([stopMcpRs?.(), stopStandIn()]);
});

describe("Cognito's key rotation under load", () => {
  /** Tokens signed by the first key, then by the rotated-in one. */
  const load: LoadToken[] = [];
  let firstKid: string;
  let rotatedKid: string;
  /** A token of the newest key and one of a dropped key, once the drop has been noticed. */
  let afterDrop: { latest: LoadToken; dropped: LoadToken } | undefined;

  it("refuses no request signed by a published key while keys rotate and new tokens join", async () => {
    load.push(await newToken(), await newToken());
    firstKid = load[0]?.kid as string;
    // mcp-rs fetches the JWKS on first use: done here, so the rotation comes after it.
    expect((await whoami(load[0] as LoadToken)).ok).toBe(true);
    const running = runLoad({
      tokens: load,
      durationMs: ROTATION_LOAD_MS,
      concurrency: CONCURRENCY,
    });
    await new Promise((resolve) => setTimeout(resolve, ROTATE_AFTER_MS));
    const rotatedAt = performance.now();
    const rotation = await rotateKeys({});
    rotatedKid = rotation.access;
    expect(rotation.retired).toContain(firstKid);
    expect(await publishedKids()).toEqual(expect.arrayContaining([firstKid, rotatedKid]));
    const endsAt = rotatedAt - ROTATE_AFTER_MS + ROTATION_LOAD_MS - SIGN_IN_EVERY_MS;
    while (performance.now() < endsAt) {
      const token = await newToken();
      expect(token.kid).toBe(rotatedKid);
      load.push(token);
      await new Promise((resolve) => setTimeout(resolve, SIGN_IN_EVERY_MS));
    }
    const samples = await running;

    const failed = samples.filter((s) => !s.ok);
    report(
      "rotation (old key kept)",
      samples,
      failed.length,
      `; ${samples.filter((s) => s.kid === rotatedKid).length} with the new key`,
    );
    expect(failed, describeFailures(failed)).toHaveLength(0);
    expect(samples.filter((s) => s.kid === rotatedKid).length).toBeGreaterThan(0);
    expect(
      samples.filter((s) => s.kid === firstKid && s.sentAt > rotatedAt).length,
    ).toBeGreaterThan(0);
  }, 120_000);

  it(
    "refuses tokens of dropped keys once mcp-rs has refetched the JWKS, within the cooldown",
    async () => {
      expect(rotatedKid).toBeDefined();
      const droppedAt = performance.now();
      const drop = await rotateKeys({ dropOld: true });
      const published = await publishedKids();
      expect(published).not.toContain(firstKid);
      expect(published).not.toContain(rotatedKid);
      const latest = await newToken();
      expect(latest.kid).toBe(drop.access);
      const dropped = new Set([firstKid, rotatedKid]);
      const tokens = [load[0] as LoadToken, load[load.length - 1] as LoadToken, latest];

      // mcp-rs keeps the dropped keys until it refetches the JWKS: the first token it cannot
      // verify (the newest key's) makes it refetch, at most once per cooldown after the last such
      // fetch, which the rotation above started. The switch is the first success of the newest key.
      let switchedAt: number | undefined;
      const samples = await runLoad({
        tokens,
        durationMs: DROP_WAIT_MS,
        concurrency: 4,
        pauseMs: 50,
        until: (done) => {
          switchedAt ??= done.find((s) => s.kid === latest.kid && s.ok)?.doneAt;
          return switchedAt !== undefined && performance.now() > switchedAt + AFTER_SWITCH_MS;
        },
      });
      expect(switchedAt, "mcp-rs never picked up the newest key").toBeDefined();
      const switched = switchedAt as number;
      const firstSuccessSent = Math.min(
        ...samples.filter((s) => s.kid === latest.kid && s.ok).map((s) => s.sentAt),
      );
      const before = samples.filter((s) => s.doneAt < firstSuccessSent);
      const after = samples.filter((s) => s.sentAt > switched);
      const unknownKey =
        'error="invalid_token", error_description="the access token is signed by an unknown key"';

      const refusedNewest = samples.filter((s) => s.kid === latest.kid && !s.ok).length;
      const refusedDropped = samples.filter((s) => dropped.has(s.kid) && !s.ok).length;
      report(
        "drop of the old keys",
        samples,
        refusedNewest + refusedDropped,
        ` (${refusedNewest} of the newest key before the refetch, ${refusedDropped} of the dropped` +
          ` keys after it); dropped keys refused ${((switched - droppedAt) / 1000).toFixed(1)} s after the drop`,
      );
      // Nothing but 200 and 401: never a 5xx.
      const unexpected = samples.filter((s) => s.status !== 200 && s.status !== 401);
      expect(unexpected, describeFailures(unexpected)).toHaveLength(0);
      // Until the refetch, the dropped keys are still trusted and the newest key is not yet known.
      const refusedEarly = before.filter((s) => dropped.has(s.kid) && !s.ok);
      expect(refusedEarly, describeFailures(refusedEarly)).toHaveLength(0);
      for (const s of before.filter((s) => s.kid === latest.kid)) {
        expect(s.status).toBe(401);
        expect(s.challenge).toContain(unknownKey);
      }
      // From the refetch on, the dropped keys are refused and the newest key is accepted.
      expect(after.filter((s) => dropped.has(s.kid)).length).toBeGreaterThan(0);
      for (const s of after.filter((s) => dropped.has(s.kid))) {
        expect(s.status).toBe(401);
        expect(s.challenge).toContain(unknownKey);
      }
      const refusedLatest = after.filter((s) => s.kid === latest.kid && !s.ok);
      expect(refusedLatest, describeFailures(refusedLatest)).toHaveLength(0);
      expect(switched - droppedAt).toBeLessThan((JWKS_COOLDOWN_SECONDS + 5) * 1000);
      afterDrop = { latest, dropped: load[0] as LoadToken };
    },
    DROP_WAIT_MS + 60_000,
  );

  it("keeps accepting valid tokens from its cached keys while Cognito is down", async () => {
    expect(afterDrop, "the drop was not noticed").toBeDefined();
    const { latest, dropped } = afterDrop as NonNullable<typeof afterDrop>;
    await stopStandIn();
    const answer = await fetch(`${standIn.issuer}/.well-known/jwks.json`).catch(() => undefined);
    expect(answer, "the stand-in still answers").toBeUndefined();
    const samples = await runLoad({
      tokens: [latest, latest, latest, dropped],
      durationMs: OUTAGE_LOAD_MS,
      concurrency: CONCURRENCY,
    });
    const failed = samples.filter((s) => s.kid === latest.kid && !s.ok);
    const refused = samples.filter((s) => s.kid === dropped.kid);
    report(
      "Cognito down",
      samples,
      failed.length,
      `; ${refused.length} with a dropped key, refused`,
    );
    expect(failed, describeFailures(failed)).toHaveLength(0);
    expect(samples.filter((s) => s.kid === latest.kid).length).toBeGreaterThan(0);
    // A token mcp-rs cannot verify stays a 401 (the refetch it may try fails): never a 5xx.
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.filter((s) => s.status !== 401)).toHaveLength(0);
  }, 60_000);
});
