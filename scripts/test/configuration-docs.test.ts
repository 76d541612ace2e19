import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importWrangler, listDeployableWorkers } from "../deploy/workers.mjs";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const doc = readFileSync(join(root, "docs", "configuration.md"), "utf8");
const wrangler = await importWrangler();
const workers = [
  ...listDeployableWorkers(),
  { name: "cognito-local", configPath: join(root, "workers", "cognito-local", "wrangler.toml") },
];

type Raw = Record<string, unknown> & {
  vars?: Record<string, unknown>;
  kv_namespaces?: { binding: string }[];
  durable_objects?: { bindings?: { name: string }[] };
  ratelimits?: { name: string }[];
  r2_buckets?: { binding: string }[];
  d1_databases?: { binding: string }[];
  services?: { binding: string }[];
  queues?: { producers?: { binding: string }[] };
  analytics_engine_datasets?: { binding: string }[];
  ai?: { binding: string };
  assets?: { binding?: string };
  triggers?: { crons?: string[] };
};

/** Every name a worker's code can read from `env`, and its cron schedules. */
function namesOf(raw: Raw): string[] {
  return [
    ...Object.keys(raw.vars ?? {}),
    ...(raw.kv_namespaces ?? []).map((b) => b.binding),
    ...(raw.durable_objects?.bindings ?? []).map((b) => b.name),
    ...(raw.ratelimits ?? []).map((b) => b.name),
    ...(raw.r2_buckets ?? []).map((b) => b.binding),
    ...(raw.d1_databases ?? []).map((b) => b.binding),
    ...(raw.services ?? []).map((b) => b.binding),
    ...(raw.queues?.producers ?? []).map((b) => b.binding),
    ...(raw.analytics_engine_datasets ?? []).map((b) => b.binding),
    ...(raw.ai ? [raw.ai.binding] : []),
    ...(raw.assets?.binding ? [raw.assets.binding] : []),
    ...(raw.triggers?.crons ?? []),
  ];
}

describe("docs/configuration.md names every var, secret and binding of every worker", () => {
  for (const worker of workers) {
    it(`workers/${worker.name}`, () => {
      const raw = wrangler.experimental_readRawConfig({ config: worker.configPath })
        .rawConfig as Raw;
      expect(doc).toContain(`## workers/${worker.name}`);
      const names = namesOf(raw);
      expect(names.length).toBeGreaterThan(0);
      const missing = names.filter((name) => !doc.includes(`\`${name}\``));
      expect(missing).toEqual([]);
    });
  }
});
