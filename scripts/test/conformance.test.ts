import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  formatSuiteLine,
  formatSummary,
  readAuthorizationResults,
  readScenarioResults,
  summarizeChecks,
} from "../conformance/results.mjs";
import {
  findAuthorizationUrl,
  isCallbackServerListening,
  selectSuites,
} from "../conformance/suite-output.mjs";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function writeResults(results: Record<string, { status: string }[]>, under = "suite") {
  const dir = mkdtempSync(join(tmpdir(), "conformance-test-"));
  dirs.push(dir);
  for (const [name, checks] of Object.entries(results)) {
    const path = join(dir, under, `${name}-2026-11-26T09-07-43-319Z`);
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, "checks.json"), JSON.stringify(checks));
  }
  return dir;
}

describe("conformance results: a scenario passes with no failure and no warning", () => {
  it("counts statuses; INFO is a note", () => {
    expect(
      summarizeChecks([{ status: "SUCCESS" }, { status: "INFO" }, { status: "SUCCESS" }]),
    ).toEqual({ passed: 2, failed: 0, warnings: 0, ok: true });
    expect(summarizeChecks([{ status: "SUCCESS" }, { status: "WARNING" }]).ok).toBe(false);
    expect(summarizeChecks([{ status: "FAILURE" }]).ok).toBe(false);
  });

  it("reads each scenario's checks.json by its name", () => {
    const dir = writeResults({
      "auth/basic-cimd": [{ status: "SUCCESS" }],
      "auth/pre-registration": [{ status: "FAILURE" }],
    });
    const results = readScenarioResults(dir);
    expect([...results.keys()].sort()).toEqual(["auth/basic-cimd", "auth/pre-registration"]);
    expect(results.get("auth/pre-registration")?.failed).toBe(1);
  });

  it("fails the run for a failed, a warned or a missing scenario, and counts draft apart", () => {
    const results = readScenarioResults(
      writeResults({
        "auth/a": [{ status: "SUCCESS" }],
        "auth/b": [{ status: "WARNING" }],
        "auth/d": [{ status: "SUCCESS" }],
      }),
    );
    const summary = formatSummary(results, {
      expected: ["auth/a", "auth/b", "auth/c", "auth/d"],
      draft: ["auth/d"],
    });
    expect(summary).toMatchObject({ ok: false, dated: 1, draft: 1 });
    expect(summary.text).toContain("FAIL  auth/b: 0 passed, 0 failed, 1 warnings");
    expect(summary.text).toContain("FAIL  auth/c: no result");
    expect(summary.text).toContain(
      "1 of 3 scenarios of revisions 2025-06-18 and 2025-11-25 pass; 1 of 1 draft scenarios pass.",
    );
    const all = formatSummary(results, { expected: ["auth/a", "auth/d"], draft: ["auth/d"] });
    expect(all.ok).toBe(true);
  });
});

describe("conformance results: an authorization-server scenario passes only with every check passed", () => {
  const read = (results: Record<string, { status: string }[]>) =>
    readAuthorizationResults(join(writeResults(results, "authorization"), "authorization"));

  it("names each scenario as the suite does, without its folder's prefix and timestamp", () => {
    const results = read({
      "authorization-server-authorization-server-metadata-endpoint": [
        { status: "SUCCESS" },
        { status: "SUCCESS" },
      ],
      "authorization-server-authorization-code-grant": [{ status: "SUCCESS" }],
      "auth/basic-cimd": [{ status: "SUCCESS" }],
    });
    expect([...results.keys()].sort()).toEqual([
      "authorization-code-grant",
      "authorization-server-metadata-endpoint",
    ]);
    expect(results.get("authorization-server-metadata-endpoint")).toEqual({
      passed: 2,
      failed: 0,
      warnings: 0,
      ok: true,
    });
  });

  it("fails a warned, a skipped or an empty scenario", () => {
    const results = read({
      "authorization-server-warned": [{ status: "SUCCESS" }, { status: "WARNING" }],
      "authorization-server-skipped": [{ status: "SKIPPED" }],
      "authorization-server-empty": [],
      "authorization-server-failed": [{ status: "FAILURE" }],
    });
    for (const name of ["warned", "skipped", "empty", "failed"])
      expect(results.get(name)?.ok, name).toBe(false);
  });

  it("is empty for a run that wrote nothing", () => {
    expect(readAuthorizationResults(join(tmpdir(), "no-such-conformance-output")).size).toBe(0);
  });
});

describe("conformance summary: one line per suite", () => {
  it("counts the passing scenarios and the checks of those that ran", () => {
    const results = new Map([
      ["a", { passed: 2, failed: 0, warnings: 0, ok: true }],
      ["b", { passed: 1, failed: 0, warnings: 0, ok: true }],
    ]);
    expect(formatSuiteLine("authorization", results, ["a", "b"])).toEqual({
      line: "authorization: 2/2 scenarios, 3 checks passed, 0 failed, 0 warnings",
      ok: true,
    });
  });

  it("fails for a missing or a warned scenario", () => {
    const results = new Map([["a", { passed: 1, failed: 0, warnings: 1, ok: false }]]);
    expect(formatSuiteLine("authorization", results, ["a", "b"])).toEqual({
      line: "authorization: 0/2 scenarios, 1 checks passed, 0 failed, 1 warnings",
      ok: false,
    });
  });
});

describe("conformance suite output: the authorization URL it prints for a browser", () => {
  const url =
    "http://127.0.0.1:35957/authorize?response_type=code&client_id=bw7f&state=Qd&redirect_uri=http%3A%2F%2F127.0.0.1%3A44363%2Fcallback&code_challenge=Fq4&code_challenge_method=S256";
  // As authorization-code-grant prints it (0.2.0-alpha.12).
  const printed = [
    "=== Running scenario: authorization-code-grant ===",
    "Ensure http://127.0.0.1:44363/callback is registered as a redirect URI for client 'bw7f'.",
    "Access the following URL in your browser and complete the authentication process.",
    url,
    "",
    "Waiting up to 5 minutes for the authorization callback...",
    "Callback server started: http://127.0.0.1:44363",
    "",
  ].join("\n");

  it("is the line after the prompt, once that line is complete", () => {
    expect(findAuthorizationUrl(printed)).toBe(url);
    const cut = printed.indexOf(url) + 40;
    expect(findAuthorizationUrl(printed.slice(0, cut))).toBeUndefined();
    expect(findAuthorizationUrl(printed.slice(0, cut + url.length))).toBe(url);
    expect(findAuthorizationUrl(printed.replaceAll("\n", "\r\n"))).toBe(url);
  });

  it("is none before the prompt, or when the next line is not a URL", () => {
    expect(findAuthorizationUrl(printed.slice(0, printed.indexOf("Access")))).toBeUndefined();
    expect(findAuthorizationUrl(printed.replace(url, "not a url"))).toBeUndefined();
  });

  it("knows when the callback server on the given port listens", () => {
    expect(isCallbackServerListening(printed, 44363)).toBe(true);
    expect(isCallbackServerListening(printed, 4436)).toBe(false);
    expect(isCallbackServerListening(printed.slice(0, printed.indexOf("Callback")), 44363)).toBe(
      false,
    );
  });
});

describe("conformance run: which suites", () => {
  it("runs every suite by default, or the named ones in order", () => {
    expect(selectSuites([])).toEqual(["client", "authorization"]);
    expect(selectSuites(["authorization"])).toEqual(["authorization"]);
    expect(selectSuites(["authorization", "client"])).toEqual(["client", "authorization"]);
    expect(() => selectSuites(["server"])).toThrow(TypeError);
  });
});
