#!/usr/bin/env node
// `npm run cleanup`: deletes the deployed workers, their KV namespaces and the Cognito stack,
// after you type the stack name (`--yes` skips the question). See docs/deploy.md.
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { cleanup } from "./deploy/cleanup.mjs";
import { listDeployableWorkers } from "./deploy/workers.mjs";
import { resolveWranglerBin } from "./lib/wrangler.mjs";

const { values } = parseArgs({
  options: {
    yes: { type: "boolean", default: false },
    config: { type: "string", default: "deploy.config.json" },
  },
});

/** Asks on the terminal; true only when the answer is exactly the expected text. */
async function confirm(question, expected) {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim() === expected;
  } finally {
    rl.close();
  }
}

try {
  await cleanup({
    workers: listDeployableWorkers(),
    wranglerBin: resolveWranglerBin(),
    configPath: values.config,
    yes: values.yes,
    confirm,
  });
} catch (error) {
  console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
