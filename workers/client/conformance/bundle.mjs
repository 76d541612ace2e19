// Bundles the conformance adapter (adapter.ts: TypeScript that imports src/) into one ES module
// with esbuild. Its npm packages stay imports, so the file must sit where node_modules resolves;
// the repository's own packages (TypeScript sources, which Node cannot run) are bundled in.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Where bundles go: inside the repository, so their package imports resolve. */
export const BUNDLE_DIR = here("../../../node_modules/.cache/client-conformance");

/** Bundles `@mcp-cognito-workers/<name>` from packages/<name>/src instead of importing it. */
const workspacePackages = {
  name: "workspace-packages",
  setup(build) {
    build.onResolve({ filter: /^@mcp-cognito-workers\/[a-z-]+$/ }, (args) => ({
      path: here(`../../../packages/${args.path.split("/")[1]}/src/index.ts`),
    }));
  },
};

/**
 * Writes the adapter as one runnable file at `outfile` (under {@link BUNDLE_DIR}).
 * @param {string} outfile
 */
export async function bundleAdapter(outfile) {
  await build({
    entryPoints: [here("./adapter.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    plugins: [workspacePackages],
    logLevel: "warning",
    absWorkingDir: here("."),
  });
  return outfile;
}
