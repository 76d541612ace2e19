import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startBearerProxy } from "../conformance/bearer-proxy.mjs";
import {
  findUnusedExpectedFailures,
  formatServerRunLine,
  judgeServerRun,
  parseExpectedFailures,
  parseScenarioCount,
  readServerResults,
} from "../conformance/server-results.mjs";
import { SERVER_EXPECTED_FAILURES } from "../conformance/server-suite.mjs";

type Check = { id: string; status: string };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("server expected failures: only checks that need the suite's own fixtures", () => {
  const text = readFileSync(SERVER_EXPECTED_FAILURES, "utf8");
  const entries = parseExpectedFailures(text);
  // `  - <scenario>:<check-id> # <reason>`: one check a line, the reason as a comment.
  const ENTRY_LINE = /^ {2}- ([a-z0-9-]+):([a-z0-9-]+) # (.+)$/;
  const listed = text.split("\n").filter((line) => /^\s*-/.test(line));

  it("lists each check on its own line, with a reason", () => {
    expect(entries.length).toBeGreaterThan(0);
    expect(listed).toHaveLength(entries.length);
    for (const line of listed) expect(line).toMatch(ENTRY_LINE);
    expect(listed.map((line) => ENTRY_LINE.exec(line)?.slice(1, 3).join(":"))).toEqual(
      entries.map((entry) => `${entry.scenario}:${entry.checkId}`),
    );
  });

  it("names no whole scenario and no check twice", () => {
    expect(entries.filter((entry) => entry.checkId === undefined)).toEqual([]);
    const keys = entries.map((entry) => `${entry.scenario}:${entry.checkId}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("gives as each reason the suite fixture the check calls (a test_* tool or prompt, a test:// resource)", () => {
    for (const line of listed) {
      const reason = ENTRY_LINE.exec(line)?.[3] ?? "";
      expect(reason, line).toMatch(
        /^(calls|gets|reads|subscribes to|unsubscribes from|completes an argument of) the (diagnostic )?(tool|prompt|resource) (test_[a-z0-9_]+|test:\/\/[a-z0-9/-]+)$/,
      );
    }
  });
});

describe("parsing an expected-failures file as the suite does", () => {
  it("reads `scenario` and `scenario:check-id` entries of the server list", () => {
    expect(
      parseExpectedFailures("server:\n  - tools-call-image:tools-call-image # why\n  - ping\n"),
    ).toEqual([
      { scenario: "tools-call-image", checkId: "tools-call-image" },
      { scenario: "ping" },
    ]);
    expect(parseExpectedFailures("client:\n  - x\n")).toEqual([]);
  });

  it("refuses an entry that is not a string", () => {
    expect(() => parseExpectedFailures("server:\n  - a: b\n")).toThrow(
      'expected-failures entry {"a":"b"} is not a string',
    );
    expect(() => parseExpectedFailures("server: nope\n")).toThrow(
      '"server" must be a list of scenario entries',
    );
  });
});

describe("reading what the suite wrote and printed", () => {
  it("reads each server scenario's checks.json by name, leaving out skipped ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "conformance-server-test-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, checks?: Check[]) => {
      const path = join(dir, `server-${name}-2026-11-29T12-09-14-996Z`);
      mkdirSync(path);
      if (checks) writeFileSync(join(path, "checks.json"), JSON.stringify(checks));
    };
    write("tools-list", [{ id: "tools-list", status: "SUCCESS" }]);
    write("sep-2164-resource-not-found", [{ id: "sep-2164-error-code", status: "WARNING" }]);
    write("resources-subscribe");
    const results = readServerResults(dir);
    expect([...results.keys()].sort()).toEqual(["sep-2164-resource-not-found", "tools-list"]);
    expect(results.get("sep-2164-resource-not-found")).toEqual([
      { id: "sep-2164-error-code", status: "WARNING" },
    ]);
    expect(readServerResults(join(dir, "absent")).size).toBe(0);
  });

  it("reads how many scenarios a run announced", () => {
    expect(
      parseScenarioCount(
        "npm warn\nRunning requirements 2026-07-28 (50 scenarios) against http://127.0.0.1:1/mcp\n",
      ),
    ).toBe(50);
    expect(parseScenarioCount("Running active suite (31 scenarios) against http://x/mcp")).toBe(31);
    expect(parseScenarioCount("Server test error: boom")).toBeUndefined();
  });
});

describe("judging a run: only expected fixture checks may fail", () => {
  const expected = parseExpectedFailures(
    "server:\n  - tools-call-image:tools-call-image\n  - prompts-get-simple:prompts-get-simple\n",
  );
  const results = (entries: Record<string, Check[]>) => new Map(Object.entries(entries));

  it("passes when every failing check is expected, counting clean scenarios and checks", () => {
    const verdict = judgeServerRun(
      results({
        "tools-list": [
          { id: "tools-list", status: "SUCCESS" },
          { id: "note", status: "INFO" },
          { id: "list-changed", status: "SKIPPED" },
        ],
        "tools-call-image": [{ id: "tools-call-image", status: "FAILURE" }],
        "prompts-get-simple": [{ id: "prompts-get-simple", status: "FAILURE" }],
      }),
      expected,
      { announced: 3 },
    );
    expect(verdict).toMatchObject({
      judged: 3,
      clean: 1,
      passed: 1,
      failed: 0,
      warnings: 0,
      expected: 2,
      unexpected: [],
      stale: [],
      ok: true,
    });
    expect(formatServerRunLine("server 2026-07-28", verdict)).toBe(
      "server 2026-07-28: 1/3 scenarios, 1 checks passed, 0 failed, 0 warnings (2 expected failures: suite fixtures)",
    );
  });

  it("fails on a failure or a warning not listed, keeping the worst report of a check", () => {
    const verdict = judgeServerRun(
      results({
        caching: [
          { id: "sep-2549-ttl", status: "SUCCESS" },
          { id: "sep-2549-ttl", status: "WARNING" },
        ],
        "server-stateless": [
          { id: "sep-2575-server-unsupported-version-error", status: "FAILURE" },
        ],
        "tools-call-image": [{ id: "tools-call-image", status: "FAILURE" }],
        "prompts-get-simple": [{ id: "prompts-get-simple", status: "FAILURE" }],
      }),
      expected,
      { announced: 4 },
    );
    expect(verdict).toMatchObject({ failed: 1, warnings: 1, expected: 2, ok: false });
    expect(formatServerRunLine("server 2026-07-28", verdict)).toBe(
      "server 2026-07-28: 0/4 scenarios, 0 checks passed, 1 failed, 1 warnings (2 expected failures: suite fixtures); unexpected: caching:sep-2549-ttl (WARNING), server-stateless:sep-2575-server-unsupported-version-error (FAILURE)",
    );
  });

  it("accepts a named warning outside the required scenarios, never a failure or a required one", () => {
    const accepted = { "sse-streams:session": "stateless", "tools-list:tools-list": "stateless" };
    const verdict = judgeServerRun(
      results({
        "sse-streams": [{ id: "session", status: "WARNING" }],
        "tools-list": [{ id: "tools-list", status: "WARNING" }],
      }),
      [],
      { announced: 2, required: ["tools-list"], acceptedWarnings: accepted },
    );
    expect(verdict.accepted).toEqual(["sse-streams:session"]);
    expect(verdict.unexpected).toEqual(["tools-list:tools-list (WARNING)"]);
    expect(verdict.ok).toBe(false);
    expect(formatServerRunLine("server", verdict)).toContain(
      "; accepted warnings (stateless by design): sse-streams:session",
    );
    const failing = judgeServerRun(
      results({ "sse-streams": [{ id: "session", status: "FAILURE" }] }),
      [],
      { announced: 1, acceptedWarnings: accepted },
    );
    expect(failing.ok).toBe(false);
    const clean = judgeServerRun(
      results({ "sse-streams": [{ id: "session", status: "WARNING" }] }),
      [],
      { announced: 1, acceptedWarnings: accepted },
    );
    expect(clean.ok).toBe(true);
  });

  it("fails on a listed check that now passes (a stale entry)", () => {
    const verdict = judgeServerRun(
      results({
        "tools-call-image": [{ id: "tools-call-image", status: "SUCCESS" }],
        "prompts-get-simple": [{ id: "prompts-get-simple", status: "FAILURE" }],
      }),
      expected,
      { announced: 2 },
    );
    expect(verdict.stale).toEqual(["tools-call-image:tools-call-image"]);
    expect(verdict.ok).toBe(false);
  });

  it("fails when scenarios are missing: fewer reported than announced, none announced, a required one absent", () => {
    const one = results({ "tools-list": [{ id: "tools-list", status: "SUCCESS" }] });
    expect(judgeServerRun(one, [], { announced: 1 }).ok).toBe(true);
    const fewer = judgeServerRun(one, [], { announced: 2 });
    expect(fewer.ok).toBe(false);
    expect(formatServerRunLine("server", fewer)).toContain("; 1 of 2 scenarios reported");
    expect(judgeServerRun(one, [], {}).ok).toBe(false);
    const absent = judgeServerRun(one, [], { announced: 1, required: ["caching"] });
    expect(absent.missing).toEqual(["caching"]);
    expect(absent.ok).toBe(false);
    expect(judgeServerRun(new Map(), [], { announced: 0 }).ok).toBe(false);
  });

  it("with a scored list, judges the scored and required scenarios and counts the others apart", () => {
    const verdict = judgeServerRun(
      results({
        "tools-list": [{ id: "tools-list", status: "SUCCESS" }],
        "http-header-validation": [{ id: "sep-2243-ok", status: "SUCCESS" }],
        "tasks-lifecycle": [{ id: "tasks-sync-tool-call", status: "FAILURE" }],
        "json-schema-2020-12": [{ id: "found", status: "SUCCESS" }],
      }),
      [],
      { announced: 4, scored: ["tools-list"], required: ["http-header-validation"] },
    );
    expect(verdict).toMatchObject({
      judged: 2,
      clean: 2,
      notScored: { scenarios: 2, failing: 1 },
      ok: true,
    });
    expect(formatServerRunLine("server 2026-07-28", verdict)).toBe(
      "server 2026-07-28: 2/2 scenarios, 2 checks passed, 0 failed, 0 warnings (0 expected failures: suite fixtures); not scored: 2 scenarios, 1 failing",
    );
    expect(
      judgeServerRun(results({}), [], { announced: 0, scored: ["tools-list"] }).missing,
    ).toEqual(["tools-list"]);
  });

  it("finds entries that met no failing check in any run", () => {
    const first = judgeServerRun(
      results({ "tools-call-image": [{ id: "tools-call-image", status: "FAILURE" }] }),
      expected,
      { announced: 1 },
    );
    expect(findUnusedExpectedFailures(expected, [first.matched, new Set()])).toEqual([
      "prompts-get-simple:prompts-get-simple",
    ]);
  });
});

/** A loopback server standing in for mcp-rs; records what it received. */
async function startUpstream(handler: http.RequestListener) {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

async function startProxy(port: number, token = "the-token") {
  const proxy = await startBearerProxy({ target: new URL(`http://localhost:${port}/mcp`), token });
  cleanups.push(proxy.close);
  return proxy;
}

describe("the bearer proxy in front of mcp-rs", () => {
  it("adds the token and mcp-rs's Host, and forwards method, path, Origin, other headers and body", async () => {
    let seen: { method?: string; url?: string; headers: string[]; body: string } | undefined;
    const port = await startUpstream((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        seen = { method: req.method, url: req.url, headers: req.rawHeaders, body };
        res.writeHead(403, {
          "content-type": "application/json",
          "www-authenticate": 'Bearer error="insufficient_scope"',
        });
        res.end('{"error":"forbidden_origin"}');
      });
    });
    const proxy = await startProxy(port);
    const res = await fetch(`${proxy.origin}/mcp?x=1`, {
      method: "POST",
      headers: {
        origin: "http://evil.example.com",
        authorization: "Bearer someone-else",
        "mcp-method": "tools/list",
        "content-type": "application/json",
      },
      body: '{"jsonrpc":"2.0"}',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe('Bearer error="insufficient_scope"');
    expect(await res.text()).toBe('{"error":"forbidden_origin"}');
    expect(seen?.method).toBe("POST");
    expect(seen?.url).toBe("/mcp?x=1");
    expect(seen?.body).toBe('{"jsonrpc":"2.0"}');
    const headers = new Map<string, string[]>();
    for (let i = 0; i < (seen?.headers.length ?? 0); i += 2) {
      const name = (seen?.headers[i] ?? "").toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), seen?.headers[i + 1] ?? ""]);
    }
    expect(headers.get("authorization")).toEqual(["Bearer the-token"]);
    expect(headers.get("host")).toEqual([`localhost:${port}`]);
    expect(headers.get("origin")).toEqual(["http://evil.example.com"]);
    expect(headers.get("mcp-method")).toEqual(["tools/list"]);
  });

  it("streams an SSE response event by event, before mcp-rs ends it", async () => {
    let finish: (() => void) | undefined;
    const port = await startUpstream((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: message\ndata: first\n\n");
      finish = () => res.end("event: message\ndata: last\n\n");
    });
    const proxy = await startProxy(port);
    const res = await fetch(`${proxy.origin}/mcp`, { method: "POST", body: "{}" });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe("event: message\ndata: first\n\n");
    // The second event exists only once the first has arrived.
    finish?.();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += decoder.decode(chunk.value);
    expect(rest).toBe("event: message\ndata: last\n\n");
  });

  it("answers 502 when mcp-rs cannot be reached", async () => {
    const port = await startUpstream(() => {});
    // Nothing listens on the target any more.
    await cleanups.pop()?.();
    const proxy = await startProxy(port);
    const res = await fetch(`${proxy.origin}/mcp`);
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(/^the proxy could not reach mcp-rs: /);
  });
});
