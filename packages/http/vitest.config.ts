import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The package uses web-standard APIs only (fetch types, WebCrypto), so Node runs its tests.
export default defineConfig({
  test: {
    name: "http",
    root: fileURLToPath(new URL(".", import.meta.url)),
    environment: "node",
    include: ["{src,test}/**/*.test.ts"],
  },
});
