import { defineNodeProject } from "@mcp-cognito-workers/test-support/vitest";

// From the repository root, so that the scripts run as `npm run deploy` runs them.
export default defineNodeProject({
  name: "scripts",
  include: ["scripts/**/*.test.ts"],
  test: { testTimeout: 120_000, hookTimeout: 60_000 },
});
