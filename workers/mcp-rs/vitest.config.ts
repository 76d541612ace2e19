import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: here("./wrangler.toml") } })],
  test: {
    root: here("../.."),
    name: "mcp-rs",
    include: ["workers/mcp-rs/{test,src}/**/*.test.ts"],
    // The worker's structured request logs, shown only for failing tests.
    silent: "passed-only",
  },
});
