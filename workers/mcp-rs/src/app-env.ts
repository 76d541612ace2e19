import type { Principal } from "./auth/verify-token";
import type { Config } from "./config";

/** The Hono environment of the resource server: its bindings and what middleware put on the request. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** Set by `resourceServerConfig()`. */
    config: Config;
    /** The canonical resource URL of this request, set by `resourceServerConfig()`. */
    resource: string;
    /** The caller, set by `tokenCheck()`. */
    principal: Principal;
    /** The access token the principal was read from. */
    token: string;
    /** Background work of a request served without an execution context (tests). */
    pending?: Promise<void>;
  };
};

/** Options of `createApp`; tests inject the network and the clock. */
export interface AppOptions {
  /** Fetch for Cognito and the facade. */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. */
  now?: () => number;
}
