import { describe, expect, it } from "vitest";
import { isRemembered, MAX_REMEMBERED_CLIENTS, rememberApproval } from "./consent";
import { type SealOptions, sealValue } from "./seal";

const NOW = Date.UTC(2026, 10, 26);
const DAY = 24 * 3600;
const TTL = 30 * DAY;
const SECRET = "a-front-door-key-of-at-least-32-characters";
const at = (ms: number): SealOptions => ({ secret: SECRET, now: () => ms });

describe("remembered approvals: one sealed cookie of (client, scopes, expiry)", () => {
  it("remembers a client for the approved scopes and any subset", async () => {
    const cookie = await rememberApproval(
      undefined,
      "client-a",
      "openid mcp-api/read",
      TTL,
      at(NOW),
    );
    expect(await isRemembered(cookie, "client-a", "openid mcp-api/read", at(NOW))).toBe(true);
    expect(await isRemembered(cookie, "client-a", "openid", at(NOW))).toBe(true);
    expect(await isRemembered(cookie, "client-a", "", at(NOW))).toBe(true);
  });

  it("a grown scope is not remembered; approving it keeps the old scopes too", async () => {
    const first = await rememberApproval(
      undefined,
      "client-a",
      "openid mcp-api/read",
      TTL,
      at(NOW),
    );
    expect(await isRemembered(first, "client-a", "openid mcp-api/write", at(NOW))).toBe(false);
    const second = await rememberApproval(first, "client-a", "mcp-api/write", TTL, at(NOW));
    expect(
      await isRemembered(second, "client-a", "openid mcp-api/read mcp-api/write", at(NOW)),
    ).toBe(true);
  });

  it("another client is not remembered", async () => {
    const cookie = await rememberApproval(undefined, "client-a", "openid", TTL, at(NOW));
    expect(await isRemembered(cookie, "client-b", "openid", at(NOW))).toBe(false);
    expect(await isRemembered(cookie, "client-A", "openid", at(NOW))).toBe(false);
  });

  it("an approval expires after its TTL, each on its own", async () => {
    const a = await rememberApproval(undefined, "client-a", "openid", TTL, at(NOW));
    const later = NOW + 20 * DAY * 1000;
    const both = await rememberApproval(a, "client-b", "openid", TTL, at(later));
    const afterA = NOW + TTL * 1000;
    expect(await isRemembered(both, "client-a", "openid", at(afterA - 1000))).toBe(true);
    expect(await isRemembered(both, "client-a", "openid", at(afterA))).toBe(false);
    expect(await isRemembered(both, "client-b", "openid", at(afterA))).toBe(true);
  });

  it(`keeps at most ${MAX_REMEMBERED_CLIENTS} clients, forgetting the oldest approvals first`, async () => {
    let cookie: string | undefined;
    for (let i = 0; i <= MAX_REMEMBERED_CLIENTS; i++)
      cookie = await rememberApproval(cookie, `client-${i}`, "openid", TTL, at(NOW + i * 1000));
    expect(await isRemembered(cookie, "client-0", "openid", at(NOW + 60_000))).toBe(false);
    for (let i = 1; i <= MAX_REMEMBERED_CLIENTS; i++)
      expect(await isRemembered(cookie, `client-${i}`, "openid", at(NOW + 60_000))).toBe(true);
    // Approving again moves a client to the newest place.
    cookie = await rememberApproval(cookie, "client-1", "openid", TTL, at(NOW + 70_000));
    cookie = await rememberApproval(cookie, "client-new", "openid", TTL, at(NOW + 80_000));
    expect(await isRemembered(cookie, "client-1", "openid", at(NOW + 90_000))).toBe(true);
    expect(await isRemembered(cookie, "client-2", "openid", at(NOW + 90_000))).toBe(false);
  });

  it("does not store client ids in the clear, and refuses a tampered or foreign cookie", async () => {
    const cookie = await rememberApproval(undefined, "client-a", "openid", TTL, at(NOW));
    expect(cookie).not.toContain("client-a");
    const tampered = `${cookie.slice(0, -2)}${cookie.at(-2) === "A" ? "B" : "A"}${cookie.slice(-1)}`;
    expect(await isRemembered(tampered, "client-a", "openid", at(NOW))).toBe(false);
    // A value sealed for another purpose never passes for a consent cookie.
    const foreign = await sealValue("transaction", { grants: [] }, TTL, at(NOW));
    expect(await isRemembered(foreign, "client-a", "openid", at(NOW))).toBe(false);
    // A bad cookie is replaced, not an error.
    const fresh = await rememberApproval(tampered, "client-b", "openid", TTL, at(NOW));
    expect(await isRemembered(fresh, "client-b", "openid", at(NOW))).toBe(true);
  });
});
