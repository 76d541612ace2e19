import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";

const path = (relative: string) => fileURLToPath(new URL(`../${relative}`, import.meta.url));

describe("the root wrangler.toml runs the Cognito stand-in, in step with its own config", () => {
  const root = unstable_readConfig({ config: path("wrangler.toml") });
  const worker = unstable_readConfig({ config: path("workers/cognito-local/wrangler.toml") });

  it("points at the stand-in's entry point", () => {
    expect(root.main).toBe(worker.main);
  });

  it("has the same name, dates, port, bindings, migrations, rules and vars", () => {
    const pick = (config: typeof root) => ({
      name: config.name,
      compatibility_date: config.compatibility_date,
      compatibility_flags: config.compatibility_flags,
      workers_dev: config.workers_dev,
      dev: { ip: config.dev.ip, port: config.dev.port, inspector_port: config.dev.inspector_port },
      durable_objects: config.durable_objects,
      migrations: config.migrations,
      rules: config.rules,
      vars: config.vars,
    });
    expect(pick(root)).toEqual(pick(worker));
  });
});
