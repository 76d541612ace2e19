import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: here("./wrangler.toml") } })],
  test: {
    root: here("../.."),
    name: "client",
    include: ["workers/client/{test,src}/**/*.test.ts"],
  },
});
