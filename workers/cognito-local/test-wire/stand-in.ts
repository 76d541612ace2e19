import { fileURLToPath } from "node:url";
import { unstable_readConfig, unstable_startWorker } from "wrangler";

const CONFIG = fileURLToPath(new URL("../wrangler.toml", import.meta.url));

/** The stand-in's local values, read from its wrangler.toml as `npm run dev` uses them. */
export const standInVars = unstable_readConfig({ config: CONFIG }).vars as Record<string, string>;

/** Options of {@link startStandIn}. */
export interface StartStandInOptions {
  /** Folder to keep state in across starts; none (in memory) when absent. */
  persistTo?: string;
}

/** Starts cognito-local with wrangler on a free loopback port; `dispose()` stops it. */
export async function startStandIn(options: StartStandInOptions = {}) {
  const worker = await unstable_startWorker({
    config: CONFIG,
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      persist: options.persistTo ?? false,
      watch: false,
      logLevel: "warn",
    },
  });
  const url = await worker.url;
  return { url: url.toString(), origin: url.origin, dispose: () => worker.dispose() };
}
