import { env } from "cloudflare:test";
import { OAuthError } from "@mcp-cognito-workers/http";
import { describe, expect, it } from "vitest";
import { createCognitoPacer, getLimits } from "./limits";
import { COGNITO_CALL_MAX_MS, COGNITO_CALL_WINDOW_MS } from "./registration-limits";

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
  const take = (
    stub: ReturnType<typeof limits>,
    operation: string,
    nowMs: number,
    id = crypto.randomUUID(),
  ) => stub.takeCognitoCall({ callId: id, operation, nowMs, perOperation: 2, total: 3 });

  it("a call counts while under way and for a window after its answer, per operation and in all", async () => {
    const stub = limits();
    expect(await take(stub, "CreateUserPoolClient", T, "a")).toEqual({ ok: true });
    expect(await take(stub, "CreateUserPoolClient", T + 100, "b")).toEqual({ ok: true });
    // Both still under way: the third of the operation is asked to look again soon.
    const underWay = await take(stub, "CreateUserPoolClient", T + 200);
    expect(underWay.ok).toBe(false);
    // One answered at T + 300: it frees its turn a window later.
    await stub.finishCognitoCall("a", T + 300);
    await stub.finishCognitoCall("b", T + 900);
    expect(await take(stub, "CreateUserPoolClient", T + 400)).toEqual({
      ok: false,
      waitMs: COGNITO_CALL_WINDOW_MS - 100,
    });
    expect(await take(stub, "DescribeUserPoolClient", T + 400, "c")).toEqual({ ok: true });
    await stub.finishCognitoCall("c", T + 500);
    // Three in all: any operation waits now, until the first answer's window has passed.
    expect(await take(stub, "ListUserPoolClients", T + 600)).toEqual({
      ok: false,
      waitMs: COGNITO_CALL_WINDOW_MS - 300,
    });
    expect(await take(stub, "ListUserPoolClients", T + 300 + COGNITO_CALL_WINDOW_MS)).toEqual({
      ok: true,
    });
  });

  it("a call whose answer is never reported stops counting after COGNITO_CALL_MAX_MS", async () => {
    const stub = limits();
    await take(stub, "CreateUserPoolClient", T, "lost-1");
    await take(stub, "CreateUserPoolClient", T, "lost-2");
    expect((await take(stub, "CreateUserPoolClient", T + COGNITO_CALL_MAX_MS - 1)).ok).toBe(false);
    expect((await take(stub, "CreateUserPoolClient", T + COGNITO_CALL_MAX_MS)).ok).toBe(true);
  });

  it("never lets more calls arrive in any second than the limit, however long each takes", async () => {
    const stub = limits();
    // Calls let through, each held by the network for a random time before it arrives and
    // before its answer comes back: arrivals must never exceed 2 within a second.
    const arrivals: number[] = [];
    let now = T;
    const running: { id: string; endsAt: number }[] = [];
    for (let step = 0; step < 400; step++) {
      now += 17;
      for (const call of running.filter((c) => c.endsAt <= now)) {
        await stub.finishCognitoCall(call.id, call.endsAt);
        running.splice(running.indexOf(call), 1);
      }
      const id = crypto.randomUUID();
      if ((await take(stub, "CreateUserPoolClient", now, id)).ok) {
        const arrival = now + Math.floor(Math.random() * 600);
        arrivals.push(arrival);
        running.push({ id, endsAt: arrival + Math.floor(Math.random() * 600) });
      }
    }
    arrivals.sort((a, b) => a - b);
    for (const [i, at] of arrivals.entries()) {
      const inSecond = arrivals.slice(i).filter((other) => other < at + 1000);
      expect(inSecond.length).toBeLessThanOrEqual(2);
    }
    expect(arrivals.length).toBeGreaterThan(5);
  });

  it("0 is no limit", async () => {
    const stub = limits();
    for (let i = 0; i < 20; i++)
      expect(
        await stub.takeCognitoCall({
          callId: crypto.randomUUID(),
          operation: "x",
          nowMs: T,
          perOperation: 0,
          total: 0,
        }),
      ).toEqual({ ok: true });
  });
});

describe("createCognitoPacer: waits for a turn, or answers 429", () => {
  it("sleeps as long as the limits object says, reports each answer, and gives up past its longest wait", async () => {
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
    // Each call answered at once: five turns, then a window after the first answer.
    for (let i = 0; i < 12; i++) await (await pace("CreateUserPoolClient"))();
    expect(slept).toEqual([COGNITO_CALL_WINDOW_MS, COGNITO_CALL_WINDOW_MS]);

    const impatient = createCognitoPacer(stub, {
      limits: { perOperation: 5, total: 15 },
      now: () => now,
      sleep: async () => {},
      maxWaitMs: 100,
    });
    // Three more fill this window (two were taken in it above); the next would wait too long.
    for (let i = 0; i < 3; i++) await (await impatient("CreateUserPoolClient"))();
    const error = await impatient("CreateUserPoolClient").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      code: "temporarily_unavailable",
      status: 429,
      headers: { "Retry-After": "2" },
    });
  });
});
