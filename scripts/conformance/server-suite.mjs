#!/usr/bin/env node
// The conformance suite's server scenarios against mcp-rs, as a signed-in person's client reaches
// it: cognito-local and mcp-rs on loopback, the demo user signed in at the managed login (read and
// write scopes, the token bound to mcp-rs), and a loopback proxy that adds that token to every
// request, since the suite has no option for an Authorization header. Run on its own with
// `node scripts/conformance/server-suite.mjs`.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import { signInDemoUser } from "@mcp-cognito-workers/test-support/sign-in";
import { startCognitoLocal, startLocalWorker } from "@mcp-cognito-workers/test-support/stack";
import { importWrangler, workerConfigPath } from "../lib/wrangler.mjs";
import { startBearerProxy } from "./bearer-proxy.mjs";
import {
  findUnusedExpectedFailures,
  formatServerRunLine,
  judgeServerRun,
  parseScenarioCount,
  readExpectedFailures,
  readServerResults,
} from "./server-results.mjs";
import { runSuiteCli, withResultsDir } from "./suite-cli.mjs";
import { parseRequirementsListing } from "./suite-output.mjs";

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
  const wrangler = await importWrangler();
  const mcpVars = wrangler.unstable_readConfig({ config: workerConfigPath("mcp-rs") }).vars;
  const stops = [];
  const dispose = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const standIn = await startCognitoLocal(wrangler);
    stops.push(standIn.stop);
    // Cognito binds tokens only to https or http://localhost resources: mcp-rs is reached as
    // localhost (it listens on 127.0.0.1), and requires every token to be bound to it.
    const mcpPort = await findFreePort();
    const resource = `http://localhost:${mcpPort}/mcp`;
    stops.push(
      await startLocalWorker(wrangler, "mcp-rs", {
        port: mcpPort,
        vars: { COGNITO_ISSUER: standIn.issuer, RESOURCE_URL: resource, REQUIRE_AUDIENCE: "true" },
      }),
    );
    const tokens = await signInDemoUser(standIn, {
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

/** The server scenarios `revision` scores, as the suite lists them. */
async function listScoredScenarios(revision, suite) {
  const { output } = await runSuiteCli(["list", "--requirements", revision], {
    ...suite,
    timeoutMs: 120_000,
    echo: false,
  });
  return parseRequirementsListing(output).server;
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
  const suite = { suitePackage: options.suitePackage, label: "server" };
  const expectedFailures = readExpectedFailures(SERVER_EXPECTED_FAILURES);
  const verdicts = [];
  const summaries = [];
  const servers = await startServers();
  try {
    for (const run of SERVER_RUNS) {
      // The scenarios the revision scores; the suite runs the others without scoring them.
      const scored = run.scoredBy ? await listScoredScenarios(run.scoredBy, suite) : undefined;
      const outputDir = join(options.outputDir, `server-${run.revision}`);
      const { output } = await runSuiteCli(
        [
          ...["server", "--url", servers.url, ...run.args],
          ...["--expected-failures", SERVER_EXPECTED_FAILURES, "-o", outputDir],
        ],
        { ...suite, timeoutMs: SERVER_RUN_TIMEOUT_MS, echo: options.echo ?? true },
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
  await withResultsDir("mcp-conformance-server-", async (outputDir) => {
    const { summaries, ok } = await runServerSuites({ outputDir });
    console.log(["", ...summaries.map((summary) => summary.line)].join("\n"));
    process.exitCode = ok ? 0 : 1;
  });
}
