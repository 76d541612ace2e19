import { defineConfig } from "vitest/config";

// Every test project of the repository; `npm test` runs them all.
export default defineConfig({
  test: {
    projects: [
      "workers/*/vitest.config.ts",
      "workers/*/vitest.wire.config.ts",
      "infra/vitest.config.ts",
      "scripts/vitest.config.ts",
      "packages/*/vitest.config.ts",
    ],
  },
});
