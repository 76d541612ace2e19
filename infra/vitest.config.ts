import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "infra",
    // The repository root, so that paths in tests and in cfn-lint's output read as from there.
    // In test.root, not root: as a project of the root config, Vite's root is forced to this folder.
    root: fileURLToPath(new URL("..", import.meta.url)),
    environment: "node",
    include: ["infra/**/*.test.ts"],
  },
});
