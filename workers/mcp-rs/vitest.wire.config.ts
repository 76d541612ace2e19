import { defineWorkerProject } from "@mcp-cognito-workers/test-support/vitest";

// In Node: cognito-local and mcp-rs under wrangler on loopback ports, called by the official MCP
// SDK client with tokens obtained by signing in, as users do.
export default defineWorkerProject({
  worker: "mcp-rs",
  wire: true,
  test: { hookTimeout: 180_000 },
});
