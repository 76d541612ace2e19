#!/usr/bin/env node
// `npm run test:conformance`: the MCP conformance suite's client auth scenarios, run against the
// web client's OAuth module through its command-line adapter (workers/client/conformance/), then
// its authorization-server scenarios against the facade (workers/dcr) in front of the Cognito
// stand-in (scripts/conformance/authorization-server.mjs). `node scripts/conformance.mjs
// authorization` runs one suite. The suite needs Node 22; npx fetches it and the suite (pinned)
// from the npm registry.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AUTHORIZATION_SCENARIOS,
  runAuthorizationSuite,
} from "./conformance/authorization-server.mjs";
import {
  formatSuiteLine,
  formatSummary,
  readAuthorizationResults,
  readScenarioResults,
} from "./conformance/results.mjs";
import { selectSuites } from "./conformance/suite-output.mjs";

/** The suite's version: results are only comparable run to run with the same one. */
export const CONFORMANCE_PACKAGE = "@modelcontextprotocol/conformance@0.1.16";
/** The version whose `authorization` command tests an authorization server (needs Node 22). */
export const AUTHORIZATION_CONFORMANCE_PACKAGE = "@modelcontextprotocol/conformance@0.2.0-alpha.12";
/** The `auth` suite's scenarios (revisions 2025-06-18 and 2025-11-25) in the pinned version. */
export const SUITE_SCENARIOS = [
  "auth/metadata-default",
  "auth/metadata-var1",
  "auth/metadata-var2",
  "auth/metadata-var3",
  "auth/basic-cimd",
  "auth/scope-from-www-authenticate",
  "auth/scope-from-scopes-supported",
  "auth/scope-omitted-when-undefined",
  "auth/scope-step-up",
  "auth/scope-retry-limit",
  "auth/token-endpoint-auth-basic",
  "auth/token-endpoint-auth-post",
  "auth/token-endpoint-auth-none",
  "auth/pre-registration",
];
/** Draft-revision scenarios, run one by one (the `auth` suite holds the dated revisions' ones). */
export const DRAFT_SCENARIOS = [
  "auth/resource-mismatch",
  "auth/offline-access-scope",
  "auth/offline-access-not-supported",
];
/**
 * The Client ID Metadata Document URL the adapter presents as its `client_id` where a server
 * supports CIMD; the suite's `auth/basic-cimd` expects this client identity.
 */
export const CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json";

const ADAPTER = fileURLToPath(
  new URL("../workers/client/conformance/adapter.mjs", import.meta.url),
);

function runSuite(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "npx",
      ["-y", "-p", "node@22", "-p", CONFORMANCE_PACKAGE, "conformance", "client", ...args],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
}

/** The client auth suite against the adapter: its report, and its one-line summary. */
async function runClientSuites(out) {
  const command = `node ${JSON.stringify(ADAPTER)} --client-metadata-url ${CLIENT_METADATA_URL}`;
  // The suite's own exit code is not used: a scenario's verdict is its checks, read below.
  await runSuite(["--command", command, "--suite", "auth", "-o", join(out, "suite")]);
  for (const scenario of DRAFT_SCENARIOS) {
    await runSuite(["--command", command, "--scenario", scenario, "-o", join(out, "draft")]);
  }
  const results = readScenarioResults(out);
  const expected = [...SUITE_SCENARIOS, ...DRAFT_SCENARIOS];
  const { text, ok } = formatSummary(results, { draft: DRAFT_SCENARIOS, expected });
  console.log(text);
  return { line: formatSuiteLine("client auth", results, expected).line, ok };
}

/** The authorization-server scenarios against the facade: its one-line summary. */
async function runAuthorizationSuites(out) {
  const outputDir = join(out, "authorization");
  try {
    await runAuthorizationSuite({ suitePackage: AUTHORIZATION_CONFORMANCE_PACKAGE, outputDir });
  } catch (error) {
    // A set-up failure (a worker that did not start, a refused registration): no results.
    console.error(`authorization: ${error.stack ?? error}`);
  }
  return formatSuiteLine(
    "authorization",
    readAuthorizationResults(outputDir),
    AUTHORIZATION_SCENARIOS,
  );
}

async function main() {
  const suites = selectSuites(process.argv.slice(2));
  const out = mkdtempSync(join(tmpdir(), "mcp-conformance-"));
  const summaries = [];
  try {
    for (const suite of suites) {
      const started = performance.now();
      const summary =
        suite === "client" ? await runClientSuites(out) : await runAuthorizationSuites(out);
      const seconds = Math.round((performance.now() - started) / 1000);
      summaries.push({ ...summary, line: `${summary.line} (${seconds} s)` });
    }
    console.log(["", ...summaries.map((summary) => summary.line)].join("\n"));
    process.exitCode = summaries.every((summary) => summary.ok) ? 0 : 1;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
