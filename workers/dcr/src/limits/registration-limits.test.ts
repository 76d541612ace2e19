import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getLimits } from "./limits";

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
