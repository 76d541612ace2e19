import { defineNodeProject } from "@mcp-cognito-workers/test-support/vitest";

// From the repository root, so that paths in tests and in cfn-lint's output read as from there.
export default defineNodeProject({ name: "infra", include: ["infra/**/*.test.ts"] });
