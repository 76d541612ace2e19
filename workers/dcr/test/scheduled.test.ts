import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { type ClientSeen, clientSeenKey } from "@mcp-cognito-workers/registrations";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CLIENT_PREFIX, clientKey, revokedClientKey } from "../src/storage/keys";
import { INSPECTOR, NOW, setup } from "./support";

const DAY_MS = 24 * 3600 * 1000;

beforeEach(async () => {
  // One pool per test: start from an empty namespace.
  for (const key of (await env.REGISTRATIONS.list({ prefix: CLIENT_PREFIX })).keys)
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
