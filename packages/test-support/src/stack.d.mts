/** The wrangler module, as the caller resolved it. */
export type Wrangler = typeof import("wrangler");

/** The `[vars]` of `workers/<name>/wrangler.toml`, as `npm run dev` uses them. */
export declare function readWorkerVars(wrangler: Wrangler, name: string): Record<string, string>;

/** Options of {@link startLocalWorker}. */
export interface StartLocalWorkerOptions {
  /** Loopback port (see findFreePort). */
  port: number;
  /** Plain-text bindings that replace the wrangler.toml `[vars]` of the same name. */
  vars?: Record<string, string>;
  /** Folder to keep state in across starts; none (in memory) when absent. */
  persistTo?: string;
  /** Serve `/__scheduled` to trigger the cron handler, as `wrangler dev --test-scheduled`. */
  testScheduled?: boolean;
  /** wrangler's log level; `error` when absent. */
  logLevel?: "none" | "error" | "warn" | "info" | "log" | "debug";
}

/** Starts `workers/<name>` with wrangler on 127.0.0.1:`port`; returns its stop. */
export declare function startLocalWorker(
  wrangler: Wrangler,
  name: string,
  options: StartLocalWorkerOptions,
): Promise<() => Promise<void>>;

/** Options of {@link startCognitoLocal}. */
export interface StartCognitoLocalOptions {
  /** Loopback port; a free one when absent. */
  port?: number;
  /** Where the IdP API and issuer are published (a proxy in front); its own address when absent. */
  publicOrigin?: string;
  /** Plain-text bindings over its wrangler.toml `[vars]`. */
  vars?: Record<string, string>;
  /** Folder to keep state in across starts; none (in memory) when absent. */
  persistTo?: string;
  logLevel?: StartLocalWorkerOptions["logLevel"];
}

/** A running cognito-local. */
export interface CognitoLocal {
  /** IdP API, issuer, discovery and JWKS host. */
  origin: string;
  /** Managed-login host (`http://localhost:<port>`). */
  loginOrigin: string;
  /** The pool's issuer: `<origin>/<pool id>`. */
  issuer: string;
  /** Its vars: static client, demo user, pool id, local keys. */
  vars: Record<string, string>;
  stop: () => Promise<void>;
}

/** Starts cognito-local on loopback as Cognito's two hosts (issuer and API, managed login). */
export declare function startCognitoLocal(
  wrangler: Wrangler,
  options?: StartCognitoLocalOptions,
): Promise<CognitoLocal>;

/** Starts cognito-local and dcr in front of it; one stop for both. */
export declare function startFrontDoor(
  wrangler: Wrangler,
  options?: { vars?: Record<string, string> },
): Promise<{ standIn: CognitoLocal; origin: string; stop: () => Promise<void> }>;
