// The vitest projects of this repository, one shape each: a worker's unit tests inside workerd,
// its wire tests in Node, and the Node tests of a folder (scripts, infra).
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/** The repository root. Each project runs from there (in `test.root`: as a project of the root
 * config, Vite's own root is forced to the config's folder). */
const REPO_ROOT = new URL("../../../", import.meta.url);
const fromRoot = (path) => fileURLToPath(new URL(path, REPO_ROOT));

/**
 * A project of Node tests named `name`, run from the repository root, of the files `include`
 * matches; `test` adds to or replaces its settings.
 * @param {{name: string, include: string[], test?: import("vitest/config").TestUserConfig}} options
 */
export function defineNodeProject(options) {
  return defineConfig({
    test: {
      name: options.name,
      root: fromRoot("."),
      environment: "node",
      include: options.include,
      ...options.test,
    },
  });
}

/**
 * The vitest project of `workers/<worker>`: its unit tests (`test/`, `*.test.ts` in `src/`) inside
 * workerd with its wrangler.toml, or with `wire` its wire tests (`test-wire/`) in Node as
 * `<worker>-wire`, one file at a time (each starts its own workers: one at a time suits a small
 * machine), with the time starting workerd takes. `test` adds to or replaces its settings.
 * @param {{worker: string, wire?: boolean, test?: import("vitest/config").TestUserConfig}} options
 */
export function defineWorkerProject(options) {
  const { worker } = options;
  if (options.wire)
    return defineNodeProject({
      name: `${worker}-wire`,
      include: [`workers/${worker}/test-wire/**/*.test.ts`],
      test: { testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false, ...options.test },
    });
  return defineConfig({
    plugins: [
      cloudflareTest({ wrangler: { configPath: fromRoot(`workers/${worker}/wrangler.toml`) } }),
    ],
    test: {
      // The repository root, so that files outside the worker (infra/cognito.yaml) resolve as
      // Text modules as under wrangler.
      root: fromRoot("."),
      name: worker,
      include: [`workers/${worker}/{test,src}/**/*.test.ts`],
      ...options.test,
    },
  });
}
