#!/usr/bin/env node
// The conformance suite's server scenarios against mcp-rs, as a signed-in person's client reaches
// it: cognito-local and mcp-rs on loopback, the demo user signed in at the managed login (read and
// write scopes, the token bound to mcp-rs), and a loopback proxy that adds that token to every
// request, since the suite has no option for an Authorization header. Run on its own with
// `node scripts/conformance/server-suite.mjs`.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { signIn } from "../../workers/mcp-rs/test-wire/sign-in.mjs";
import { findFreePort, startWorker } from "./authorization-server.mjs";
import {
  findUnusedExpectedFailures,
  formatServerRunLine,
  judgeServerRun,
  parseScenarioCount,
  readExpectedFailures,
  readServerResults,
} from "./server-results.mjs";
import { parseRequirementsListing } from "./suite-output.mjs";

/** The suite's version for the server scenarios (needs Node 22). */
export const SERVER_CONFORMANCE_PACKAGE = "@modelcontextprotocol/conformance@0.2.0-alpha.12";
/** Checks that need the suite's own fixtures, which mcp-rs does not serve; a reason on each. */
export const SERVER_EXPECTED_FAILURES = fileURLToPath(
  new URL("./server-expected-failures.yaml", import.meta.url),
);
/**
 * The scenarios of each run that must report a result with no failing check beyond the expected
 * fixture ones, whether the revision scores them or not (`http-header-validation` is pending).
 */
const CLEAN_SCENARIOS_2025 = [
  "tools-list",
  "resources-list",
  "prompts-list",
  "dns-rebinding-protection",
];
/**
 * The two runs: the scenarios the 2026-07-28 revision requires (its frozen set, at its wire;
 * those it runs but does not score are judged only when listed in `required`), and the active
 * suite at 2025-11-25 (the `initialize` wire), all of it judged.
 */
export const SERVER_RUNS = [
  {
    revision: "2026-07-28",
    args: ["--requirements", "2026-07-28"],
    scoredBy: "2026-07-28",
    required: [
      ...CLEAN_SCENARIOS_2025,
      "server-stateless",
      "caching",
      "sep-2164-resource-not-found",
      "http-header-validation",
    ],
  },
  {
    revision: "2025-11-25",
    args: ["--spec-version", "2025-11-25"],
    required: CLEAN_SCENARIOS_2025,
  },
];
/**
 * Warnings of the initialize-era wire that a stateless server meets by design, never in a required
 * scenario and never a failure; each with its reason. mcp-rs gives no `MCP-Session-Id` (sessions
 * are optional in 2025-11-25 Streamable HTTP), and the multiple-streams scenario warns of that
 * before running its checks without one.
 */
export const ACCEPTED_WARNINGS = {
  "server-sse-multiple-streams:server-sse-multiple-streams-session":
    "stateless: the initialize-era wire is served without sessions",
};
/** Longest wait for one run of the suite (it allows each scenario 30 s). */
export const SERVER_RUN_TIMEOUT_MS = 900_000;

const workerConfig = (name) =>
  fileURLToPath(new URL(`../../workers/${name}/wrangler.toml`, import.meta.url));
const require = createRequire(fileURLToPath(new URL("../../workers/mcp-rs/", import.meta.url)));

/**
 * A reverse proxy on 127.0.0.1 in front of `target` (`http://localhost:<port>`): it adds
 * `Authorization: Bearer <token>` to every request and sets `Host` to the target's, and forwards
 * everything else as it came (method, path, other headers, `Origin` included, and the bodies,
 * streamed both ways so that an SSE response reaches the suite event by event).
 * @param {{target: URL, token: string}} options
 * @returns {Promise<{origin: string, close: () => Promise<void>}>}
 */
export function startBearerProxy(options) {
  const server = http.createServer((req, res) => {
    const headers = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i].toLowerCase();
      if (name !== "host" && name !== "authorization")
        headers.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
    headers.push("host", options.target.host, "authorization", `Bearer ${options.token}`);
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: options.target.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.statusMessage, response.rawHeaders);
        // Each chunk as it comes: the suite reads SSE events while the stream is open.
        res.flushHeaders();
        response.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      // Cut short mid-response: the suite sees the stream break, as it would without the proxy.
      if (res.headersSent) return res.destroy(error);
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`the proxy could not reach mcp-rs: ${error.message}`);
    });
    // The suite closing a stream closes mcp-rs's too.
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * Runs the suite's command-line with `args` (`server ...`, `list ...`), echoing what it prints
 * when `echo`; resolves with its output when it exits. After `timeoutMs` its process group is
 * stopped.
 */
function runSuite(suitePackage, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "npx",
      ["-y", "-p", "node@22", "-p", suitePackage, "conformance", ...args],
      // Its own process group, so that npx and the Node it starts stop together.
      { stdio: ["ignore", "pipe", "inherit"], detached: true },
    );
    const timer = setTimeout(() => {
      console.error(`server: the suite did not finish within ${options.timeoutMs / 1000} s`);
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    }, options.timeoutMs);
    let output = "";
    child.stdout.on("data", (chunk) => {
      if (options.echo) process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

/**
 * Saves a context for the signed-in user through the proxy (a `tools/call` of `create_context`,
 * which needs the write scope), so that `resources/list` has something to list and the suite's
 * caching scenario can read a resource. Throws unless mcp-rs saved it.
 */
async function seedContext(mcpUrl) {
  const response = await fetch(mcpUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name: "create_context",
        arguments: { title: "Conformance run", content: "Saved before the suite ran." },
      },
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (response.status !== 200 || body.result?.isError === true || !body.result?.structuredContent)
    throw new Error(`mcp-rs did not save a context: ${response.status} ${JSON.stringify(body)}`);
}

/**
 * Starts cognito-local and mcp-rs on loopback, signs the demo user in with the stand-in's static
 * client (read and write scopes, the token bound to mcp-rs by RFC 8707 `resource`), puts the
 * token-adding proxy in front of mcp-rs and saves one context; returns the URL the suite is
 * given. `dispose()` stops them all.
 */
async function startServers() {
  const wrangler = await import(require.resolve("wrangler"));
  const standInVars = wrangler.unstable_readConfig({ config: workerConfig("cognito-local") }).vars;
  const mcpVars = wrangler.unstable_readConfig({ config: workerConfig("mcp-rs") }).vars;
  const stops = [];
  const dispose = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const standInPort = await findFreePort();
    const standInOrigin = `http://127.0.0.1:${standInPort}`;
    const loginOrigin = `http://localhost:${standInPort}`;
    // Cognito's two hosts: the IdP API and issuer here, the managed login on another host.
    stops.push(
      await startWorker(wrangler, "cognito-local", standInPort, {
        PUBLIC_ORIGIN: standInOrigin,
        LOGIN_ORIGIN: loginOrigin,
      }),
    );
    // Cognito binds tokens only to https or http://localhost resources: mcp-rs is reached as
    // localhost (it listens on 127.0.0.1), and requires every token to be bound to it.
    const mcpPort = await findFreePort();
    const resource = `http://localhost:${mcpPort}/mcp`;
    stops.push(
      await startWorker(wrangler, "mcp-rs", mcpPort, {
        COGNITO_ISSUER: `${standInOrigin}/${standInVars.USER_POOL_ID}`,
        RESOURCE_URL: resource,
        REQUIRE_AUDIENCE: "true",
      }),
    );
    const tokens = await signIn(loginOrigin, {
      clientId: standInVars.STATIC_CLIENT_ID,
      clientSecret: standInVars.STATIC_CLIENT_SECRET,
      redirectUri: "http://localhost:3000/callback",
      username: standInVars.DEMO_USERNAME,
      password: standInVars.DEMO_PASSWORD,
      scope: `openid ${mcpVars.READ_SCOPE} ${mcpVars.WRITE_SCOPE}`,
      resource,
    });
    const proxy = await startBearerProxy({ target: new URL(resource), token: tokens.access_token });
    stops.push(proxy.close);
    const url = `${proxy.origin}/mcp`;
    await seedContext(url);
    return { url, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * Runs the suite's server scenarios against mcp-rs behind the token-adding proxy (see
 * {@link SERVER_RUNS}), each run with the expected-failures file, results under `outputDir`.
 * Returns one summary line per run (and one more if an expected-failures entry met no failing
 * check) and whether all passed. Throws when the set-up fails.
 * @param {{suitePackage?: string, outputDir: string, echo?: boolean}} options
 * @returns {Promise<{summaries: {line: string, ok: boolean}[], ok: boolean}>}
 */
export async function runServerSuites(options) {
  const suitePackage = options.suitePackage ?? SERVER_CONFORMANCE_PACKAGE;
  const echo = options.echo ?? true;
  const expectedFailures = readExpectedFailures(SERVER_EXPECTED_FAILURES);
  const verdicts = [];
  const summaries = [];
  const servers = await startServers();
  try {
    for (const run of SERVER_RUNS) {
      // The scenarios the revision scores; the suite runs the others without scoring them.
      const scored = run.scoredBy
        ? parseRequirementsListing(
            await runSuite(suitePackage, ["list", "--requirements", run.scoredBy], {
              timeoutMs: 120_000,
              echo: false,
            }),
          ).server
        : undefined;
      const outputDir = join(options.outputDir, `server-${run.revision}`);
      const output = await runSuite(
        suitePackage,
        [
          ...["server", "--url", servers.url, ...run.args],
          ...["--expected-failures", SERVER_EXPECTED_FAILURES, "-o", outputDir],
        ],
        { timeoutMs: SERVER_RUN_TIMEOUT_MS, echo },
      );
      const verdict = judgeServerRun(readServerResults(outputDir), expectedFailures, {
        announced: parseScenarioCount(output),
        scored,
        required: run.required,
        acceptedWarnings: ACCEPTED_WARNINGS,
      });
      verdicts.push(verdict);
      summaries.push({
        line: formatServerRunLine(`server ${run.revision}`, verdict),
        ok: verdict.ok,
      });
    }
  } finally {
    await servers.dispose();
  }
  const unused = findUnusedExpectedFailures(
    expectedFailures,
    verdicts.map((verdict) => verdict.matched),
  );
  if (unused.length > 0)
    summaries.push({
      line: `server expected failures: ${unused.length} entries met no failing check: ${unused.join(", ")}`,
      ok: false,
    });
  return { summaries, ok: summaries.every((summary) => summary.ok) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outputDir = mkdtempSync(join(tmpdir(), "mcp-conformance-server-"));
  try {
    const { summaries, ok } = await runServerSuites({ outputDir });
    console.log(["", ...summaries.map((summary) => summary.line)].join("\n"));
    process.exitCode = ok ? 0 : 1;
  } finally {
    // KEEP_RESULTS=1 keeps the suite's checks.json files to read.
    if (process.env.KEEP_RESULTS) console.log(`results kept in ${outputDir}`);
    else rmSync(outputDir, { recursive: true, force: true });
  }
}
