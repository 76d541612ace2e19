import { defineWorkerProject } from "@mcp-cognito-workers/test-support/vitest";

// On the wire, in Node: dcr and cognito-local under wrangler on loopback ports, and moto_server.
export default defineWorkerProject({ worker: "dcr", wire: true });
