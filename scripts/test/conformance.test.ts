import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  formatScenarioReport,
  formatSuiteLine,
  readAuthorizationResults,
  readScenarioResults,
  summarizeChecks,
} from "../conformance/results.mjs";
import {
  findAuthorizationUrl,
  isCallbackServerListening,
  parseRequirementsListing,
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

  it("reads each scenario's checks.json by its name, with or without a folder in it", () => {
    const dir = writeResults(
      {
        "auth/basic-cimd": [{ status: "SUCCESS" }],
        "auth/pre-registration": [{ status: "FAILURE" }],
        tools_call: [{ status: "SUCCESS" }, { status: "SUCCESS" }],
      },
      "run",
    );
    const results = readScenarioResults(join(dir, "run"));
    expect([...results.keys()].sort()).toEqual([
      "auth/basic-cimd",
      "auth/pre-registration",
      "tools_call",
    ]);
    expect(results.get("auth/pre-registration")?.failed).toBe(1);
    expect(results.get("tools_call")?.passed).toBe(2);
    expect(readScenarioResults(join(dir, "missing")).size).toBe(0);
  });

  it("fails the run for a failed, a warned or a missing scenario", () => {
    const results = readScenarioResults(
      join(
        writeResults({
          "auth/a": [{ status: "SUCCESS" }],
          "auth/b": [{ status: "WARNING" }],
          "auth/d": [{ status: "SUCCESS" }, { status: "SKIPPED" }],
        }),
        "suite",
      ),
    );
    const report = formatScenarioReport(results, {
      expected: ["auth/a", "auth/b", "auth/c", "auth/d"],
    });
    expect(report.ok).toBe(false);
    expect(report.text.split("\n")).toEqual([
      "pass  auth/a: 1 passed, 0 failed, 0 warnings",
      "FAIL  auth/b: 0 passed, 0 failed, 1 warnings",
      "FAIL  auth/c: no result",
      "pass  auth/d: 1 passed, 0 failed, 0 warnings",
    ]);
    expect(formatScenarioReport(results, { expected: ["auth/a", "auth/d"] }).ok).toBe(true);
  });

  it("lists the scenarios run without being scored, which cannot fail the run", () => {
    const results = readScenarioResults(
      join(
        writeResults({ tools_call: [{ status: "SUCCESS" }], "auth/dpop": [{ status: "FAILURE" }] }),
        "suite",
      ),
    );
    const report = formatScenarioReport(results, {
      expected: ["tools_call"],
      notScored: [
        { scenario: "auth/dpop", reason: "extension" },
        { scenario: "json-schema-2020-12-preservation", reason: "added-after-release" },
      ],
    });
    expect(report.ok).toBe(true);
    expect(report.text.split("\n")).toEqual([
      "pass  tools_call: 1 passed, 0 failed, 0 warnings",
      "fail  auth/dpop (not scored: extension): 0 passed, 1 failed, 0 warnings",
      "fail  json-schema-2020-12-preservation (not scored: added-after-release): no result",
    ]);
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

  it("counts a requirements run's scored scenarios, and apart those it runs without scoring", () => {
    const results = new Map([
      ["tools_call", { passed: 2, failed: 0, warnings: 0, ok: true }],
      ["request-metadata", { passed: 6, failed: 0, warnings: 0, ok: true }],
      ["auth/dpop", { passed: 10, failed: 3, warnings: 0, ok: false }],
      ["auth/wif-jwt-bearer", { passed: 9, failed: 0, warnings: 0, ok: true }],
    ]);
    const notScored = [
      { scenario: "auth/dpop", reason: "extension" },
      { scenario: "auth/wif-jwt-bearer", reason: "extension" },
      { scenario: "json-schema-2020-12-preservation", reason: "added-after-release" },
    ];
    expect(
      formatSuiteLine("client 2026-07-28", results, ["tools_call", "request-metadata"], {
        notScored,
      }),
    ).toEqual({
      line: "client 2026-07-28: 2/2 scored scenarios, 8 checks passed, 0 failed, 0 warnings; not scored: 1/3 pass (extension 1/2, added-after-release 0/1)",
      ok: true,
    });
    const missing = formatSuiteLine("client 2026-07-28", results, ["tools_call", "sse-retry"], {
      notScored: [],
    });
    expect(missing).toEqual({
      line: "client 2026-07-28: 1/2 scored scenarios, 2 checks passed, 0 failed, 0 warnings",
      ok: false,
    });
  });
});

describe("conformance suite output: a revision's requirement set as `list --requirements` prints it", () => {
  // As 0.2.0-alpha.12 prints it (shortened).
  const printed = [
    "Required for 2026-07-28 (5 scenarios, frozen; run at the 2026-07-28 wire):",
    "",
    "Server scenarios (test against a server):",
    "  - server-stateless",
    "  - caching",
    "",
    "Client scenarios (test against a client):",
    "  - tools_call",
    "  - auth/metadata-default",
    "  - http-custom-headers",
    "",
    "Run and reported, but never scored:",
    "  extension (2):",
    "    - auth/dpop [client]",
    "    - tasks-lifecycle [server]",
    "  added-after-release (1):",
    "    - json-schema-2020-12-preservation [client]",
    "",
  ].join("\n");

  it("gives each leg's scored scenarios and those not scored, with reason and leg", () => {
    expect(parseRequirementsListing(printed)).toEqual({
      revision: "2026-07-28",
      server: ["server-stateless", "caching"],
      client: ["tools_call", "auth/metadata-default", "http-custom-headers"],
      notScored: [
        { scenario: "auth/dpop", leg: "client", reason: "extension" },
        { scenario: "tasks-lifecycle", leg: "server", reason: "extension" },
        {
          scenario: "json-schema-2020-12-preservation",
          leg: "client",
          reason: "added-after-release",
        },
      ],
    });
    expect(parseRequirementsListing(printed.replaceAll("\n", "\r\n")).client).toHaveLength(3);
  });

  it("refuses output that is not a requirement listing", () => {
    expect(() => parseRequirementsListing("Client scenarios (test against a client):\n")).toThrow(
      TypeError,
    );
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
    expect(selectSuites([])).toEqual(["client", "server", "authorization"]);
    expect(selectSuites(["authorization"])).toEqual(["authorization"]);
    expect(selectSuites(["authorization", "server", "client"])).toEqual([
      "client",
      "server",
      "authorization",
    ]);
    expect(() => selectSuites(["servers"])).toThrow(TypeError);
  });
});
