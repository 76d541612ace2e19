import { defineWorkerProject } from "@mcp-cognito-workers/test-support/vitest";

export default defineWorkerProject({
  worker: "mcp-rs",
  // The worker's structured request logs, shown only for failing tests.
  test: { silent: "passed-only" },
});
