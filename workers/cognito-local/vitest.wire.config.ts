import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Wire compatibility, in Node: the stand-in under wrangler on a loopback port, called by clients
// nobody here wrote (the AWS SDK for JavaScript v3, the AWS CLI, a browser).
export default defineConfig({
  test: {
    // The repository root (inside `test`, so that it holds when the root config lists projects).
    root: fileURLToPath(new URL("../..", import.meta.url)),
    name: "cognito-local-wire",
    environment: "node",
    include: ["workers/cognito-local/test-wire/**/*.test.ts"],
    // Starting workerd and the AWS CLI (a Python program) takes seconds each.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file starts its own stand-in: one at a time suits a two-core machine.
    fileParallelism: false,
  },
});
