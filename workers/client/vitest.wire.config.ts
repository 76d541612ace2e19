import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// In Node: cognito-local, mcp-rs and the client under wrangler on loopback ports, driven by
// Chromium as a person would.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    name: "client-wire",
    environment: "node",
    include: ["workers/client/test-wire/**/*.test.ts"],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
