import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: here("./wrangler.toml") } })],
  test: {
    // The repository root, so that infra/cognito.yaml resolves as a Text module as under wrangler.
    root: here("../.."),
    name: "cognito-local",
    include: ["workers/cognito-local/{test,src}/**/*.test.ts"],
  },
});
