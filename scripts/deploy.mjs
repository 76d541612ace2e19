#!/usr/bin/env node
// `npm run deploy`: the Cognito stack, KV namespaces, every worker and its secrets, in one go.
// `npm run deploy -- --dry-run`: builds every worker and checks its bundle against its budget,
// with no account. `npm run deploy -- --rotate-dcr-key`: the same deploy, with a new IAM access key
// for workers/dcr (the old one deleted once dcr runs with the new one). See docs/deploy.md.
import { parseArgs } from "node:util";
import { parseBudgetOverrides } from "./deploy/budgets.mjs";
import { dryRunWorkers, formatSizeTable } from "./deploy/dry-run.mjs";
import { createProcessRunner } from "./deploy/runner.mjs";
import { listDeployableWorkers } from "./deploy/workers.mjs";
import { resolveWranglerBin } from "./lib/wrangler.mjs";

const { values } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    budget: { type: "string", multiple: true, default: [] },
    config: { type: "string", default: "deploy.config.json" },
    only: { type: "string", multiple: true, default: [] },
    "rotate-dcr-key": { type: "boolean", default: false },
  },
});

// `--only name` (repeatable) limits a run to some workers; by default every deployable one.
const workers = listDeployableWorkers().filter(
  (worker) => values.only.length === 0 || values.only.includes(worker.name),
);
const wranglerBin = resolveWranglerBin();

if (values["dry-run"] && values["rotate-dcr-key"]) {
  console.error("deploy failed: --rotate-dcr-key needs an account; it cannot go with --dry-run");
  process.exitCode = 1;
} else if (values["dry-run"]) {
  const run = createProcessRunner();
  const results = await dryRunWorkers(workers, {
    run,
    wranglerBin,
    budgets: parseBudgetOverrides(values.budget),
  });
  console.log(formatSizeTable(results));
  const over = results.filter((r) => !r.ok);
  if (over.length > 0) {
    console.error(`over budget: ${over.map((r) => r.name).join(", ")}`);
    process.exitCode = 1;
  }
} else {
  const { deploy } = await import("./deploy/deploy.mjs");
  try {
    await deploy({
      workers,
      wranglerBin,
      configPath: values.config,
      rotateDcrKey: values["rotate-dcr-key"],
    });
  } catch (error) {
    // The message only: a stack trace adds nothing for the person deploying.
    console.error(`deploy failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
