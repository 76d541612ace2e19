#!/usr/bin/env node
// `npm run test:conformance`: the MCP conformance suite's client scenarios, run against the web
// client's MCP client (the MCP SDK 2.x client) and OAuth module through their command-line adapter
// (workers/client/conformance/): the `auth` suite (the initialize-era wire) and what revision
// 2026-07-28 requires of a client (its wire); then its authorization-server scenarios against the
// facade (workers/dcr) in front of the Cognito stand-in (scripts/conformance/authorization-server.mjs);
// and its server scenarios against mcp-rs under a real token (scripts/conformance/server-suite.mjs).
// `node scripts/conformance.mjs client` (or `server`, `authorization`) runs one suite. The suite needs
// Node 22; npx fetches it and the suite (pinned) from the npm registry.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLE_DIR, bundleAdapter } from "../workers/client/conformance/bundle.mjs";
import {
  AUTHORIZATION_SCENARIOS,
  runAuthorizationSuite,
} from "./conformance/authorization-server.mjs";
import {
  formatScenarioReport,
  formatSuiteLine,
  readAuthorizationResults,
  readScenarioResults,
} from "./conformance/results.mjs";
import { runServerSuites } from "./conformance/server-suite.mjs";
import { runSuiteCli, withResultsDir } from "./conformance/suite-cli.mjs";
import { parseRequirementsListing, selectSuites } from "./conformance/suite-output.mjs";

/**
 * The `auth` suite's scenarios in the pinned version, run at the initialize-era wire (2025-11-25,
 * or 2025-06-18 where a scenario is that old).
 */
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
/**
 * The revision whose requirement set is run (`--requirements`): the scenarios it scores come from
 * the suite itself (`conformance list --requirements`), at that revision's wire.
 */
export const REQUIREMENTS_REVISION = "2026-07-28";
/**
 * The Client ID Metadata Document URL the adapter presents as its `client_id` where a server
 * supports CIMD; the suite's `auth/basic-cimd` expects this client identity.
 */
export const CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json";
/**
 * How long one client run may take. The suite starts every scenario of a run at once; on a small
 * machine its default (30 s) ends runs that are merely waiting for a core.
 */
export const CLIENT_TIMEOUT_MS = 600_000;

/** Runs `part` and adds how long it took to each of its summary lines (one, or a list). */
async function timed(part) {
  const started = performance.now();
  const summaries = [await part()].flat();
  const seconds = Math.round((performance.now() - started) / 1000);
  return summaries.map((summary) => ({ ...summary, line: `${summary.line} (${seconds} s)` }));
}

/**
 * Runs the pinned suite's CLI with `args`, echoing what it prints unless `echo` is false (then its
 * stderr is dropped too); resolves with what it printed on stdout.
 */
async function runConformance(args, { echo = true } = {}) {
  const { output } = await runSuiteCli(args, { echo, stderr: echo ? "inherit" : "ignore" });
  return output;
}

/** Both client runs against one bundle of the adapter: their reports and one line each. */
async function runClientSuites(out) {
  mkdirSync(BUNDLE_DIR, { recursive: true });
  const adapter = await bundleAdapter(join(BUNDLE_DIR, `adapter-run-${process.pid}.mjs`));
  const command = `node ${JSON.stringify(adapter)} --client-metadata-url ${CLIENT_METADATA_URL}`;
  const client = (selection, dir) =>
    runConformance([
      ...["client", "--command", command, ...selection],
      ...["--timeout", String(CLIENT_TIMEOUT_MS), "-o", dir],
    ]);
  try {
    const authDir = join(out, "client-auth");
    const [authLine] = await timed(async () => {
      await client(["--suite", "auth"], authDir);
      return formatSuiteLine("client auth", readScenarioResults(authDir), SUITE_SCENARIOS);
    });

    const listing = parseRequirementsListing(
      await runConformance(["list", "--requirements", REQUIREMENTS_REVISION], { echo: false }),
    );
    const notScored = listing.notScored.filter((entry) => entry.leg === "client");
    const requiredDir = join(out, `client-${REQUIREMENTS_REVISION}`);
    const [requiredLine] = await timed(async () => {
      await client(["--requirements", REQUIREMENTS_REVISION], requiredDir);
      return formatSuiteLine(
        `client ${REQUIREMENTS_REVISION}`,
        readScenarioResults(requiredDir),
        listing.client,
        { notScored },
      );
    });

    console.log(
      [
        "",
        "client auth suite (initialize-era wire):",
        formatScenarioReport(readScenarioResults(authDir), { expected: SUITE_SCENARIOS }).text,
        "",
        `client requirements ${REQUIREMENTS_REVISION} (its wire):`,
        formatScenarioReport(readScenarioResults(requiredDir), {
          expected: listing.client,
          notScored,
        }).text,
      ].join("\n"),
    );
    return [authLine, requiredLine];
  } finally {
    rmSync(adapter, { force: true });
  }
}

/** The authorization-server scenarios against the facade: its one-line summary. */
async function runAuthorizationSuites(out) {
  const outputDir = join(out, "authorization");
  return timed(async () => {
    try {
      await runAuthorizationSuite({ outputDir });
    } catch (error) {
      // A set-up failure (a worker that did not start, a refused registration): no results.
      console.error(`authorization: ${error.stack ?? error}`);
    }
    return formatSuiteLine(
      "authorization",
      readAuthorizationResults(outputDir),
      AUTHORIZATION_SCENARIOS,
    );
  });
}

/**
 * The server scenarios against mcp-rs under a real token (a loopback proxy adds it), at 2026-07-28
 * and at 2025-11-25: one summary line per run.
 */
async function runServerConformance(out) {
  return timed(async () => {
    try {
      return (await runServerSuites({ outputDir: join(out, "server") })).summaries;
    } catch (error) {
      // A set-up failure (a worker that did not start, a sign-in that failed): no results.
      console.error(`server: ${error.stack ?? error}`);
      return [{ line: "server: set-up failed", ok: false }];
    }
  });
}

/** Each suite by name: runs it, returns one summary line per part (`{line, ok}`). */
const RUNNERS = {
  client: runClientSuites,
  server: runServerConformance,
  authorization: runAuthorizationSuites,
};

async function main() {
  const suites = selectSuites(process.argv.slice(2));
  await withResultsDir("mcp-conformance-", async (out) => {
    const summaries = [];
    for (const suite of suites) summaries.push(...(await RUNNERS[suite](out)));
    console.log(["", ...summaries.map((summary) => summary.line)].join("\n"));
    process.exitCode = summaries.every((summary) => summary.ok) ? 0 : 1;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
