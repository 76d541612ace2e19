import { defineWorkerProject } from "@mcp-cognito-workers/test-support/vitest";

// Wire compatibility, in Node: the stand-in under wrangler on a loopback port, called by clients
// nobody here wrote (the AWS SDK for JavaScript v3, the AWS CLI, a browser).
export default defineWorkerProject({ worker: "cognito-local", wire: true });
