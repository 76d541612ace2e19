import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { type ClientSeen, clientSeenKey } from "@mcp-cognito-workers/registrations";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { APP_CLIENT_MEMO_MILLISECONDS } from "../src/app-clients/shared";
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
import {
  browserOn,
  CALLBACK,
  INSPECTOR,
  NOW,
  registerClient,
  seedLegacyRegistration,
  setup,
  signInThroughFrontDoor,
  VERIFIER,
} from "./support";

const DAY_MS = 24 * 3600 * 1000;

/** Whether a registration's record is still stored. */
async function isRegistered(clientId: string): Promise<boolean> {
  return (await env.REGISTRATIONS.get(clientKey(clientId))) !== null;
}

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
    expect([report.level, report.event]).toEqual(["info", "reconciled"]);
    expect(report.orphansDeleted).toEqual([old]);
    expect([...facade.cognito.clients.keys()].sort()).toEqual([young, foreign].sort());
    expect(await env.REGISTRATIONS.get(revokedClientKey(old))).not.toBeNull();
  });

  it("forgets records whose own Cognito client is gone; a shared registration has none to lose", async () => {
    const facade = setup();
    const legacy = await seedLegacyRegistration(facade, { relayCallbackUrl: CALLBACK });
    facade.cognito.clients.delete(legacy.clientId);
    const shared = (await (await facade.register(INSPECTOR)).json()) as { client_id: string };
    // An hour later, past the grace period for records too.
    const later = setup({ now: () => NOW + 2 * 3600 * 1000, vars: { UNUSED_CLIENT_HOURS: "0" } });
    const { report } = await runCron(later);
    expect(report.recordsForgotten).toEqual([legacy.clientId]);
    expect(await isRegistered(legacy.clientId)).toBe(false);
    expect(await isRegistered(shared.client_id)).toBe(true);
  });

  it("deletes registrations unused for STALE_AFTER_DAYS, unless mcp-rs saw them used", async () => {
    let now = NOW;
    // The rule for registrations never used at all is tested on its own below.
    const facade = setup({ now: () => now, vars: { UNUSED_CLIENT_HOURS: "0" } });
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
    expect(await isRegistered(managed)).toBe(true);
    expect(await isRegistered(seen)).toBe(true);
    expect(await isRegistered(stale)).toBe(false);
    expect(await env.REGISTRATIONS.get(revokedClientKey(stale))).not.toBeNull();
    // A shared registration has no app client of its own to delete.
    expect(facade.cognito.calls.map((c) => c.operation)).toEqual(["ListUserPoolClients"]);
    expect(lines.join("\n")).toContain('"reason":"stale"');
  });

  it("a stale registration with its own app client is deleted in Cognito too", async () => {
    const facade = setup({ vars: { UNUSED_CLIENT_HOURS: "0" } });
    const long = NOW / 1000 - 91 * 24 * 3600;
    const legacy = await seedLegacyRegistration(facade, {
      relayCallbackUrl: CALLBACK,
      clientIdIssuedAt: long,
    });
    const { report } = await runCron(facade);
    expect(report.staleDeleted).toEqual([legacy.clientId]);
    expect(facade.cognito.callsOf("DeleteUserPoolClient").map((c) => c.input.ClientId)).toEqual([
      legacy.clientId,
    ]);
    expect(await isRegistered(legacy.clientId)).toBe(false);
    expect(await env.REGISTRATIONS.get(revokedClientKey(legacy.clientId))).not.toBeNull();
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

const HOUR_MS = 3600 * 1000;
const WEB_REDIRECT = "https://app.example.com/callback";

/** Signs in through the front door and redeems the code at /token, as a client does. */
async function signInAndRedeem(facade: ReturnType<typeof setup>, clientId: string) {
  const back = await signInThroughFrontDoor(facade, browserOn(facade), {
    client_id: clientId,
    redirect_uri: WEB_REDIRECT,
  });
  const response = await facade.call("/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: back.searchParams.get("code") ?? "",
      code_verifier: VERIFIER,
      redirect_uri: WEB_REDIRECT,
      client_id: clientId,
    }).toString(),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

describe("scheduled deletion of registrations never used (UNUSED_CLIENT_HOURS)", () => {
  it("deletes one that got no token and that mcp-rs never saw, once UNUSED_CLIENT_HOURS have passed", async () => {
    let now = NOW;
    const facade = setup({ now: () => now });
    const web = { redirect_uris: [WEB_REDIRECT], token_endpoint_auth_method: "none" };
    const unused = await registerClient(facade, web);
    const signedIn = await registerClient(facade, web);
    const seen = await registerClient(facade, web);
    const managed = await registerClient(facade, web);
    await signInAndRedeem(facade, signedIn.client_id);
    const marker: ClientSeen = { clientId: seen.client_id, seenAt: now / 1000 };
    await env.REGISTRATIONS.put(clientSeenKey(seen.client_id), JSON.stringify(marker), {
      metadata: marker,
    });
    now += 47 * HOUR_MS;
    const young = await registerClient(facade, web);
    // An RFC 7592 read is no sign-in: it does not keep a registration alive here.
    const read = await facade.call(`/register/${managed.client_id}`, {
      headers: { authorization: `Bearer ${managed.registration_access_token}` },
    });
    expect(read.status).toBe(200);
    // Not yet: 47 hours.
    expect((await runCron(facade)).report.unusedDeleted).toEqual([]);
    now += 2 * HOUR_MS;
    const { report, lines } = await runCron(facade);
    expect(report.unusedDeleted.sort()).toEqual([unused.client_id, managed.client_id].sort());
    expect(report.staleDeleted).toEqual([]);
    for (const gone of [unused.client_id, managed.client_id]) {
      expect(await isRegistered(gone)).toBe(false);
      expect(await env.REGISTRATIONS.get(revokedClientKey(gone))).not.toBeNull();
    }
    for (const kept of [signedIn.client_id, seen.client_id, young.client_id])
      expect(await isRegistered(kept)).toBe(true);
    // The shared app client the sign-in used serves others: it stays.
    expect(facade.cognito.callsOf("DeleteUserPoolClient")).toEqual([]);
    expect(lines.join("\n")).toContain('"reason":"unused"');
  });

  it("/token records the use at most once a day, in the record and its list metadata", async () => {
    let now = NOW;
    const facade = setup({ now: () => now });
    const { client_id } = await registerClient(facade, {
      redirect_uris: [WEB_REDIRECT],
      token_endpoint_auth_method: "none",
    });
    const stored = async () =>
      env.REGISTRATIONS.getWithMetadata<RegistrationRecord, { tokenIssuedAt?: number }>(
        clientKey(client_id),
        "json",
      );
    expect((await stored()).value?.tokenIssuedAt).toBe(0);
    now += HOUR_MS;
    await signInAndRedeem(facade, client_id);
    expect((await stored()).value?.tokenIssuedAt).toBe((NOW + HOUR_MS) / 1000);
    expect((await stored()).metadata?.tokenIssuedAt).toBe((NOW + HOUR_MS) / 1000);
    now += HOUR_MS;
    await signInAndRedeem(facade, client_id);
    expect((await stored()).value?.tokenIssuedAt).toBe((NOW + HOUR_MS) / 1000);
    now += 24 * HOUR_MS;
    await signInAndRedeem(facade, client_id);
    expect((await stored()).value?.tokenIssuedAt).toBe((NOW + 26 * HOUR_MS) / 1000);
    expect((await stored()).value?.lastUsedAt).toBe((NOW + 26 * HOUR_MS) / 1000);
  });

  it("leaves a registration made before token use was recorded to the stale rule", async () => {
    let now = NOW;
    const facade = setup({ now: () => now });
    const { client_id } = await registerClient(facade, INSPECTOR);
    const record = await readRegistration(env.REGISTRATIONS, client_id);
    if (!record) throw new Error("no record");
    const { tokenIssuedAt: _, ...older } = record;
    await writeRegistration(env.REGISTRATIONS, older);
    now += 30 * 24 * HOUR_MS;
    const { report } = await runCron(facade);
    expect(report.unusedDeleted).toEqual([]);
    expect(await isRegistered(client_id)).toBe(true);
  });

  it("UNUSED_CLIENT_HOURS=0 turns it off", async () => {
    let now = NOW;
    const facade = setup({ now: () => now, vars: { UNUSED_CLIENT_HOURS: "0" } });
    const { client_id } = await registerClient(facade, INSPECTOR);
    now += 30 * 24 * HOUR_MS;
    expect((await runCron(facade)).report.unusedDeleted).toEqual([]);
    expect(await isRegistered(client_id)).toBe(true);
  });

  it("skips a registration whose lock another change holds; the next run deletes it", async () => {
    let now = NOW;
    const facade = setup({ now: () => now });
    const { client_id } = await registerClient(facade, INSPECTOR);
    now += 49 * HOUR_MS;
    const limits = env.REGISTRATION_LIMITS.getByName(facade.limitsObjectName);
    expect(await limits.acquireLock(client_id, "an RFC 7592 update", now, 30_000)).toBe(true);
    expect((await runCron(facade)).report.unusedDeleted).toEqual([]);
    expect(await isRegistered(client_id)).toBe(true);
    await limits.releaseLock(client_id, "an RFC 7592 update");
    expect((await runCron(facade)).report.unusedDeleted).toEqual([client_id]);
    expect(await isRegistered(client_id)).toBe(false);
  });
});

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
    const old = await seedLegacyRegistration(facade, {
      metadata: { redirectUris: INSPECTOR.redirect_uris },
    });
    const body = { client_id: old.clientId };
    const currentLegacy = await seedLegacyRegistration(facade, { relayCallbackUrl: CALLBACK });
    const current = { client_id: currentLegacy.clientId };
    const shared = (await (await facade.register(INSPECTOR)).json()) as { client_id: string };
    const { report } = await runCron(facade);
    expect(report.relayed).toEqual([body.client_id]);
    expect(await isRegistered(shared.client_id)).toBe(true);
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
    await seedLegacyRegistration(facade, { metadata: { redirectUris: INSPECTOR.redirect_uris } });
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

  it("a CIMD URL served by the shared app clients: when stale, only its record goes, no tombstone", async () => {
    const facade = setup();
    const long = NOW / 1000 - 91 * 24 * 3600;
    const url = "https://shared.example.com/client.json";
    const hash = await sha256Hex(url);
    const record: CimdClientRecord = {
      url,
      scope: "openid mcp-api/read mcp-api/write",
      createdAt: long,
      lastUsedAt: long,
    };
    await writeCimdClient(env.REGISTRATIONS, hash, record);
    const { report } = await runCron(facade);
    expect(report.cimdRemoved).toEqual([hash]);
    expect(await env.REGISTRATIONS.get(cimdClientKey(hash))).toBeNull();
    expect(facade.cognito.callsOf("DeleteUserPoolClient")).toEqual([]);
    const tombstones = await env.REGISTRATIONS.list({ prefix: "revoked-client:" });
    expect(tombstones.keys.map((k) => k.name)).not.toContain(`revoked-client:${hash}`);
  });
});

describe("scheduled reconciliation and the shared app clients", () => {
  it("never deletes a shared app client as an orphan; forgets one gone from Cognito", async () => {
    let now = NOW;
    const facade = setup({ now: () => now });
    const { client_id } = await registerClient(facade, {
      redirect_uris: [WEB_REDIRECT],
      token_endpoint_auth_method: "none",
    });
    await signInAndRedeem(facade, client_id);
    const [created] = facade.cognito.callsOf("CreateUserPoolClient");
    expect(created?.input.ClientName).toMatch(/^dcr-shared public [0-9a-f]{12} [01]$/);
    const sharedId = [...facade.cognito.clients.keys()][0] as string;
    now += 2 * HOUR_MS;
    const first = await runCron(facade);
    expect(first.report.orphansDeleted).toEqual([]);
    expect(first.report.sharedForgotten).toEqual([]);
    expect(facade.cognito.clients.has(sharedId)).toBe(true);

    // Someone deleted it in the console: it is forgotten, and a sign-in makes another once the
    // isolate's memory of it has lapsed (APP_CLIENT_MEMO_MILLISECONDS).
    facade.cognito.clients.delete(sharedId);
    const second = await runCron(facade);
    expect(second.report.sharedForgotten).toEqual([sharedId]);
    expect(await env.REGISTRATIONS.get(revokedClientKey(sharedId))).toBeNull();
    now += APP_CLIENT_MEMO_MILLISECONDS;
    await signInAndRedeem(facade, client_id);
    expect(facade.cognito.callsOf("CreateUserPoolClient")).toHaveLength(2);
  });
});
