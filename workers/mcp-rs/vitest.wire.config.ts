import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// In Node: cognito-local and mcp-rs under wrangler on loopback ports, called by the official MCP
// SDK client with tokens obtained by signing in, as users do.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    name: "mcp-rs-wire",
    environment: "node",
    include: ["workers/mcp-rs/test-wire/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
