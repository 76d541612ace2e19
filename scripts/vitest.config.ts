import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "scripts",
    // The repository root, so that the scripts run as `npm run deploy` runs them. In test.root,
    // not root: as a project of the root config, Vite's root is forced to this folder.
    root: fileURLToPath(new URL("..", import.meta.url)),
    environment: "node",
    include: ["scripts/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
