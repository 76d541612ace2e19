import type { ClientConfig } from "./config";
import type { Session } from "./session/session";

/** The Hono environment of the web client: its bindings and what middleware put on the request. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** Set by `clientConfig()`. */
    config: ClientConfig;
    /** Set by `browserSession()`: the stored session, or a new one held in this request only. */
    session: Session;
    /** Whether `session` is not stored yet (an anonymous visit). */
    isNewSession: boolean;
    /** Origins the page's forms may lead to besides this one (its CSP `form-action`). */
    formActionOrigins?: string[];
  };
};

/** Injected dependencies: the network and the clock (tests pass fakes). */
export interface AppOptions {
  fetch?: typeof fetch;
  now?: () => number;
}

/** What the routes share, made once per app from its {@link AppOptions}. */
export interface AppDeps {
  /** The injected fetch, in the shape the OAuth and MCP modules take it. */
  net: { fetch?: typeof fetch };
  now: () => number;
  /** Where the start page's forms may lead besides this site (kept per isolate). */
  formActionOrigins: (config: ClientConfig) => Promise<string[]>;
}

/** What a flow acts on in one request: the bindings, the configuration and the browser's session. */
export interface FlowRequest {
  env: Env;
  config: ClientConfig;
  session: Session;
}
