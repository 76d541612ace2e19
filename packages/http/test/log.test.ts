import { afterEach, describe, expect, it, vi } from "vitest";
import { logEvent } from "../src";

afterEach(() => vi.restoreAllMocks());

/** Captures what each console method writes. */
function captureConsole() {
  const lines = { log: [] as string[], warn: [] as string[], error: [] as string[] };
  for (const method of ["log", "warn", "error"] as const)
    vi.spyOn(console, method).mockImplementation((line: unknown) => {
      lines[method].push(String(line));
    });
  return lines;
}

describe("structured log lines", () => {
  it("writes one JSON line, level and event first, through the level's console method", () => {
    const lines = captureConsole();
    logEvent("info", "request", { method: "GET", status: 200 });
    logEvent("warn", "jwks_fetch_failed", { message: "timeout" });
    logEvent("error", "unhandled");
    expect(lines.log).toEqual(['{"level":"info","event":"request","method":"GET","status":200}']);
    expect(lines.warn).toEqual([
      '{"level":"warn","event":"jwks_fetch_failed","message":"timeout"}',
    ]);
    expect(lines.error).toEqual(['{"level":"error","event":"unhandled"}']);
  });

  it("keeps level and event over fields of the same name", () => {
    const lines = captureConsole();
    logEvent("info", "request", { level: "error", event: "other", path: "/" });
    expect(lines.log).toEqual(['{"level":"info","event":"request","path":"/"}']);
  });

  it("renders an Error field as its name and message, and drops undefined fields", () => {
    const lines = captureConsole();
    logEvent("error", "unhandled", { error: new TypeError("bad"), sub: undefined });
    expect(JSON.parse(lines.error[0] as string)).toEqual({
      level: "error",
      event: "unhandled",
      error: { name: "TypeError", message: "bad" },
    });
  });

  it("still logs the event when a field cannot be JSON", () => {
    const lines = captureConsole();
    logEvent("warn", "odd", { count: 1n });
    expect(JSON.parse(lines.warn[0] as string)).toMatchObject({ level: "warn", event: "odd" });
    expect(JSON.parse(lines.warn[0] as string).logError).toMatch(/BigInt/);
  });
});
