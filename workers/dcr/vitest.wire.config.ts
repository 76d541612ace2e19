import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// On the wire, in Node: dcr and cognito-local under wrangler on loopback ports, and moto_server.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    name: "dcr-wire",
    environment: "node",
    include: ["workers/dcr/test-wire/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
