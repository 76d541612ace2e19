import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { OAuthError } from "../oauth/oauth-error";
import { createCognitoPacer, getLimits } from "./limits";
import { COGNITO_CALL_WINDOW_MS } from "./registration-limits";

const limits = () => getLimits(env.REGISTRATION_LIMITS, `unit-${crypto.randomUUID()}`);
const DAY = "2026-11-26";

describe("RegistrationLimits: daily caps", () => {
  it("counts per source and in all, and refuses the one over either cap without counting it", async () => {
    const stub = limits();
    const ask = (source: string) =>
      stub.reserve({ day: DAY, source, perSourceLimit: 2, globalLimit: 3 });
    expect(await ask("a")).toEqual({ ok: true });
    expect(await ask("a")).toEqual({ ok: true });
    expect(await ask("a")).toEqual({ ok: false, cap: "source" });
    expect(await ask("b")).toEqual({ ok: true });
    expect(await ask("c")).toEqual({ ok: false, cap: "global" });
    // The refusals were not counted: giving one back makes room for exactly one.
    await stub.cancelReservation({ day: DAY, source: "b" });
    expect(await ask("c")).toEqual({ ok: true });
    expect(await ask("d")).toEqual({ ok: false, cap: "global" });
  });

  it("starts over on the next day; 0 turns a cap off", async () => {
    const stub = limits();
    expect(
      await stub.reserve({ day: DAY, source: "a", perSourceLimit: 1, globalLimit: 0 }),
    ).toEqual({ ok: true });
    expect(
      await stub.reserve({ day: DAY, source: "a", perSourceLimit: 1, globalLimit: 0 }),
    ).toEqual({ ok: false, cap: "source" });
    expect(
      await stub.reserve({ day: "2026-11-27", source: "a", perSourceLimit: 1, globalLimit: 0 }),
    ).toEqual({ ok: true });
    for (let i = 0; i < 5; i++)
      expect(
        await stub.reserve({ day: DAY, source: `s${i}`, perSourceLimit: 0, globalLimit: 0 }),
      ).toEqual({ ok: true });
  });

  it("is exact under concurrency: of 40 parallel reservations against a cap of 7, 7 pass", async () => {
    const stub = limits();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        stub.reserve({ day: DAY, source: `s${i % 4}`, perSourceLimit: 0, globalLimit: 7 }),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(7);
  });

  it("a cancelled reservation never takes a count below zero", async () => {
    const stub = limits();
    await stub.cancelReservation({ day: DAY, source: "a" });
    expect(
      await stub.reserve({ day: DAY, source: "a", perSourceLimit: 1, globalLimit: 1 }),
    ).toEqual({ ok: true });
    expect(
      await stub.reserve({ day: DAY, source: "a", perSourceLimit: 1, globalLimit: 1 }),
    ).toEqual({ ok: false, cap: "source" });
  });
});

describe("RegistrationLimits: one lock per client id", () => {
  const NOW = Date.UTC(2026, 10, 26);

  it("one holder at a time per client; other clients are independent", async () => {
    const stub = limits();
    expect(await stub.acquireLock("client-a", "first", NOW, 30_000)).toBe(true);
    expect(await stub.acquireLock("client-a", "second", NOW, 30_000)).toBe(false);
    expect(await stub.acquireLock("client-b", "second", NOW, 30_000)).toBe(true);
    // Only its holder lets it go.
    await stub.releaseLock("client-a", "second");
    expect(await stub.acquireLock("client-a", "second", NOW, 30_000)).toBe(false);
    await stub.releaseLock("client-a", "first");
    expect(await stub.acquireLock("client-a", "second", NOW, 30_000)).toBe(true);
  });

  it("a lock whose holder never lets go lapses when its lease runs out", async () => {
    const stub = limits();
    expect(await stub.acquireLock("client-a", "gone", NOW, 30_000)).toBe(true);
    expect(await stub.acquireLock("client-a", "next", NOW + 29_999, 30_000)).toBe(false);
    expect(await stub.acquireLock("client-a", "next", NOW + 30_000, 30_000)).toBe(true);
  });

  it("of many parallel takers of one lock, exactly one gets it", async () => {
    const stub = limits();
    const taken = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stub.acquireLock("client-a", `h${i}`, NOW, 30_000)),
    );
    expect(taken.filter(Boolean)).toHaveLength(1);
  });
});

describe("RegistrationLimits: the pace of Cognito calls", () => {
  const T = 1_800_000_000_000;
  const take = (stub: ReturnType<typeof limits>, operation: string, nowMs: number) =>
    stub.takeCognitoCall({ operation, nowMs, perOperation: 2, total: 3 });

  it("counts per operation and in all within a window, and says how long to wait", async () => {
    const stub = limits();
    expect(await take(stub, "CreateUserPoolClient", T)).toEqual({ ok: true });
    expect(await take(stub, "CreateUserPoolClient", T + 100)).toEqual({ ok: true });
    // The third of one operation waits until the first leaves the window.
    expect(await take(stub, "CreateUserPoolClient", T + 200)).toEqual({
      ok: false,
      waitMs: COGNITO_CALL_WINDOW_MS - 200,
    });
    expect(await take(stub, "DescribeUserPoolClient", T + 300)).toEqual({ ok: true });
    // Three in all: any operation waits now.
    expect(await take(stub, "ListUserPoolClients", T + 400)).toEqual({
      ok: false,
      waitMs: COGNITO_CALL_WINDOW_MS - 400,
    });
    expect(await take(stub, "ListUserPoolClients", T + COGNITO_CALL_WINDOW_MS)).toEqual({
      ok: true,
    });
  });

  it("never lets more calls through in any window than the limits, however they are asked", async () => {
    const stub = limits();
    const granted: number[] = [];
    for (let at = T; at < T + 10_000; at += 37)
      if ((await take(stub, "CreateUserPoolClient", at)).ok) granted.push(at);
    for (const start of granted) {
      const inWindow = granted.filter((at) => at >= start && at < start + COGNITO_CALL_WINDOW_MS);
      expect(inWindow.length).toBeLessThanOrEqual(2);
    }
    expect(granted.length).toBeGreaterThanOrEqual(16);
  });

  it("0 is no limit", async () => {
    const stub = limits();
    for (let i = 0; i < 20; i++)
      expect(
        await stub.takeCognitoCall({ operation: "x", nowMs: T, perOperation: 0, total: 0 }),
      ).toEqual({ ok: true });
  });
});

describe("createCognitoPacer: waits for a turn, or answers 429", () => {
  it("sleeps as long as the limits object says, and gives up past its longest wait", async () => {
    const stub = limits();
    let now = 1_800_000_000_000;
    const slept: number[] = [];
    const pace = createCognitoPacer(stub, {
      limits: { perOperation: 5, total: 15 },
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    for (let i = 0; i < 12; i++) await pace("CreateUserPoolClient");
    // Five per window: the sixth and the eleventh waited for a window to pass.
    expect(slept).toEqual([COGNITO_CALL_WINDOW_MS, COGNITO_CALL_WINDOW_MS]);

    const impatient = createCognitoPacer(stub, {
      limits: { perOperation: 5, total: 15 },
      now: () => now,
      sleep: async () => {},
      maxWaitMs: 100,
    });
    // Three more fill this window (two were taken in it above); the next would wait too long.
    for (let i = 0; i < 3; i++) await impatient("CreateUserPoolClient");
    const error = await impatient("CreateUserPoolClient").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      code: "temporarily_unavailable",
      status: 429,
      headers: { "Retry-After": "2" },
    });
  });
});
