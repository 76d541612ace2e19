import { defineWorkerProject } from "@mcp-cognito-workers/test-support/vitest";

// In Node: cognito-local, mcp-rs and the client under wrangler on loopback ports, driven by
// Chromium as a person would.
export default defineWorkerProject({
  worker: "client",
  wire: true,
  test: { testTimeout: 90_000, hookTimeout: 180_000 },
});
