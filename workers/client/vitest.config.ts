import { defineWorkerProject } from "@mcp-cognito-workers/test-support/vitest";

export default defineWorkerProject({ worker: "client" });
