import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { type ClientSeen, clientSeenKey } from "@mcp-cognito-workers/registrations";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../src/registration/secrets";
import {
  CIMD_CLIENT_PREFIX,
  CLIENT_PREFIX,
  cimdClientKey,
  clientKey,
  revokedClientKey,
} from "../src/storage/keys";
import {
  type CimdClientRecord,
  type RegistrationRecord,
  readRegistration,
  writeCimdClient,
  writeRegistration,
} from "../src/storage/records";
import { CALLBACK, INSPECTOR, NOW, setup } from "./support";

const DAY_MS = 24 * 3600 * 1000;

beforeEach(async () => {
  // One pool per test: start from an empty namespace.
  for (const prefix of [CLIENT_PREFIX, CIMD_CLIENT_PREFIX])
    for (const key of (await env.REGISTRATIONS.list({ prefix })).keys)
      await env.REGISTRATIONS.delete(key.name);
});
afterEach(() => vi.restoreAllMocks());

async function runCron(facade: ReturnType<typeof setup>) {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => {
    lines.push(String(line));
  });
  const controller = createScheduledController({
    scheduledTime: new Date(NOW),
    cron: "17 3 * * *",
  });
  const ctx = createExecutionContext();
  await facade.worker.scheduled(controller, facade.env);
  await waitOnExecutionContext(ctx);
  const report = lines.map((l) => JSON.parse(l)).find((e) => e.event === "reconciled");
  return { report, lines };
}

describe("scheduled reconciliation of Cognito and KV", () => {
  it("deletes facade-made Cognito clients with no record, once past the grace period", async () => {
    const facade = setup();
    const old = facade.cognito.seed({ ClientName: "dcr-lost", CreationDate: NOW / 1000 - 7200 });
    const young = facade.cognito.seed({
      ClientName: "dcr-in-flight",
      CreationDate: NOW / 1000 - 60,
    });
    const foreign = facade.cognito.seed({ ClientName: "static-client", CreationDate: 0 });
    const { report } = await runCron(facade);
    expect(report.orphansDeleted).toEqual([old]);
    expect([...facade.cognito.clients.keys()].sort()).toEqual([young, foreign].sort());
    expect(await env.REGISTRATIONS.get(revokedClientKey(old))).not.toBeNull();
  });

  it("forgets records whose Cognito client is gone", async () => {
    const facade = setup();
    const body = (await (await facade.register(INSPECTOR)).json()) as { client_id: string };
    facade.cognito.clients.delete(body.client_id);
    // An hour later, past the grace period for records too.
    const later = setup({ now: () => NOW + 2 * 3600 * 1000 });
    const { report } = await runCron(later);
    expect(report.recordsForgotten).toEqual([body.client_id]);
    expect(await env.REGISTRATIONS.get(clientKey(body.client_id))).toBeNull();
  });

  it("deletes registrations unused for STALE_AFTER_DAYS, unless mcp-rs saw them used", async () => {
    let now = NOW;
    const facade = setup({ now: () => now });
    const registered: { client_id: string; registration_access_token: string }[] = [];
    for (let i = 0; i < 3; i++) registered.push(await (await facade.register(INSPECTOR)).json());
    const [stale, seen, managed] = registered.map((r) => r.client_id) as [string, string, string];
    now += 60 * DAY_MS;
    // mcp-rs marks a client it saw using a token.
    const marker: ClientSeen = { clientId: seen, seenAt: now / 1000 };
    await env.REGISTRATIONS.put(clientSeenKey(seen), JSON.stringify(marker), { metadata: marker });
    // An RFC 7592 call counts as use too.
    const read = await facade.call(`/register/${managed}`, {
      headers: { authorization: `Bearer ${registered[2]?.registration_access_token}` },
    });
    expect(read.status).toBe(200);
    now += 31 * DAY_MS; // 91 days after registration; STALE_AFTER_DAYS is 90
    const { report, lines } = await runCron(facade);
    expect(report.staleDeleted).toEqual([stale]);
    expect(facade.cognito.clients.has(managed)).toBe(true);
    expect(facade.cognito.clients.has(seen)).toBe(true);
    expect(facade.cognito.clients.has(stale)).toBe(false);
    expect(await env.REGISTRATIONS.get(clientKey(stale))).toBeNull();
    expect(await env.REGISTRATIONS.get(revokedClientKey(stale))).not.toBeNull();
    expect(lines.join("\n")).toContain('"reason":"stale"');
  });

  it("STALE_AFTER_DAYS=0 turns the stale cleanup off", async () => {
    let now = NOW;
    const facade = setup({ now: () => now, vars: { STALE_AFTER_DAYS: "0" } });
    await facade.register(INSPECTOR);
    now += 1000 * DAY_MS;
    const { report } = await runCron(facade);
    expect(report.staleDeleted).toEqual([]);
  });

  it("pages through ListUserPoolClients and paces every Cognito call", async () => {
    const facade = setup();
    for (let i = 0; i < 130; i++) facade.cognito.seed({ ClientName: `other-${i}` });
    const { report } = await runCron(facade);
    expect(report.cognitoClients).toBe(130);
    expect(facade.cognito.callsOf("ListUserPoolClients").map((c) => c.input.NextToken)).toEqual([
      undefined,
      "60",
      "120",
    ]);
    expect(facade.sleeps).toEqual([250, 250, 250]);
  });

  it("retries a throttled listing", async () => {
    const facade = setup();
    facade.cognito.fail("ListUserPoolClients", "TooManyRequestsException");
    const { report } = await runCron(facade);
    expect(report.cognitoClients).toBe(0);
    expect(facade.cognito.callsOf("ListUserPoolClients")).toHaveLength(2);
  });
});

/** Turns a registration back into one made before the front door: no relay callback anywhere. */
async function makeOld(facade: ReturnType<typeof setup>, clientId: string) {
  const record = await readRegistration(env.REGISTRATIONS, clientId);
  if (!record) throw new Error("no record");
  const { relayCallbackUrl: _, ...old } = record;
  await writeRegistration(env.REGISTRATIONS, old as RegistrationRecord);
  const app = facade.cognito.clients.get(clientId);
  if (app) app.CallbackURLs = INSPECTOR.redirect_uris;
}

/** Writes the record of a CIMD URL's app client, as the front door does on first approval. */
async function writeCimd(
  url: string,
  cognitoClientId: string,
  times: { createdAt: number; lastUsedAt: number },
) {
  const record: CimdClientRecord = {
    url,
    cognitoClientId,
    cognitoClientName: `dcr-cimd ${new URL(url).host}`,
    scope: "openid mcp-api/read mcp-api/write",
    relayCallbackUrl: CALLBACK,
    ...times,
  };
  const hash = await sha256Hex(url);
  await writeCimdClient(env.REGISTRATIONS, hash, record);
  return cimdClientKey(hash);
}

describe("scheduled reconciliation and the front door", () => {
  it("moves registrations made before the front door onto the relay when ISSUER is set", async () => {
    const facade = setup();
    const body = (await (await facade.register(INSPECTOR)).json()) as { client_id: string };
    const current = (await (await facade.register(INSPECTOR)).json()) as { client_id: string };
    await makeOld(facade, body.client_id);
    const { report } = await runCron(facade);
    expect(report.relayed).toEqual([body.client_id]);
    const updates = facade.cognito.callsOf("UpdateUserPoolClient");
    expect(updates.map((u) => u.input.ClientId)).toEqual([body.client_id]);
    expect(updates[0]?.input.CallbackURLs).toEqual([CALLBACK]);
    expect(facade.cognito.clients.get(body.client_id)?.CallbackURLs).toEqual([CALLBACK]);
    expect(facade.cognito.clients.get(current.client_id)?.CallbackURLs).toEqual([CALLBACK]);
    const moved = await env.REGISTRATIONS.getWithMetadata<
      RegistrationRecord,
      { relayCallbackUrl?: string }
    >(clientKey(body.client_id), "json");
    expect(moved.value?.relayCallbackUrl).toBe(CALLBACK);
    expect(moved.metadata?.relayCallbackUrl).toBe(CALLBACK);
    // Done once: the next run finds nothing to move.
    expect((await runCron(facade)).report.relayed).toEqual([]);
  });

  it("leaves them be when ISSUER is unset (the issuer is then each request's origin)", async () => {
    const facade = setup({ vars: { ISSUER: "" } });
    const body = (await (await facade.register(INSPECTOR)).json()) as { client_id: string };
    await makeOld(facade, body.client_id);
    const { report } = await runCron(facade);
    expect(report.relayed).toEqual([]);
    expect(facade.cognito.callsOf("UpdateUserPoolClient")).toEqual([]);
  });

  it("forgets a CIMD record whose app client vanished from Cognito, once past the grace period", async () => {
    const facade = setup();
    const gone = await writeCimd(
      "https://gone.example.com/client.json",
      "vanishedclient00000000000a",
      {
        createdAt: NOW / 1000 - 7200,
        lastUsedAt: NOW / 1000 - 7200,
      },
    );
    const young = await writeCimd(
      "https://young.example.com/client.json",
      "inflightclient00000000000a",
      {
        createdAt: NOW / 1000 - 60,
        lastUsedAt: NOW / 1000 - 60,
      },
    );
    const { report } = await runCron(facade);
    expect(report.cimdRemoved).toEqual(["vanishedclient00000000000a"]);
    expect(await env.REGISTRATIONS.get(gone)).toBeNull();
    expect(await env.REGISTRATIONS.get(young)).not.toBeNull();
    expect(
      await env.REGISTRATIONS.get(revokedClientKey("vanishedclient00000000000a")),
    ).not.toBeNull();
    expect(facade.cognito.callsOf("DeleteUserPoolClient")).toEqual([]);
  });

  it("deletes a CIMD app client unused for STALE_AFTER_DAYS, unless mcp-rs saw it used", async () => {
    const facade = setup();
    const long = NOW / 1000 - 91 * 24 * 3600;
    const stale = facade.cognito.seed({
      ClientName: "dcr-cimd stale.example.com",
      CreationDate: long,
    });
    const seen = facade.cognito.seed({
      ClientName: "dcr-cimd seen.example.com",
      CreationDate: long,
    });
    const staleKey = await writeCimd("https://stale.example.com/client.json", stale, {
      createdAt: long,
      lastUsedAt: long,
    });
    const seenKey = await writeCimd("https://seen.example.com/client.json", seen, {
      createdAt: long,
      lastUsedAt: long,
    });
    const marker: ClientSeen = { clientId: seen, seenAt: NOW / 1000 - 3600 };
    await env.REGISTRATIONS.put(clientSeenKey(seen), JSON.stringify(marker), { metadata: marker });
    const { report } = await runCron(facade);
    expect(report.cimdRemoved).toEqual([stale]);
    expect(facade.cognito.callsOf("DeleteUserPoolClient").map((c) => c.input.ClientId)).toEqual([
      stale,
    ]);
    expect(facade.cognito.clients.has(stale)).toBe(false);
    expect(facade.cognito.clients.has(seen)).toBe(true);
    expect(await env.REGISTRATIONS.get(staleKey)).toBeNull();
    expect(await env.REGISTRATIONS.get(seenKey)).not.toBeNull();
    // mcp-rs refuses the removed app client's access tokens that are still valid.
    expect(await env.REGISTRATIONS.get(revokedClientKey(stale))).not.toBeNull();
    expect(await env.REGISTRATIONS.get(revokedClientKey(seen))).toBeNull();
  });

  it("does not delete a CIMD app client as an orphan (it has no registration record)", async () => {
    const facade = setup();
    const old = NOW / 1000 - 7200;
    const cimd = facade.cognito.seed({ ClientName: "dcr-cimd app.example.com", CreationDate: old });
    const orphan = facade.cognito.seed({ ClientName: "dcr-lost", CreationDate: old });
    await writeCimd("https://app.example.com/client.json", cimd, {
      createdAt: old,
      lastUsedAt: old,
    });
    const { report } = await runCron(facade);
    expect(report.orphansDeleted).toEqual([orphan]);
    expect(report.cimdRemoved).toEqual([]);
    expect(facade.cognito.clients.has(cimd)).toBe(true);
  });
});
