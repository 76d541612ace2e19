import type { PoolTemplate } from "./config/pool-template";
import type { Config } from "./config/vars";
import type { PoolStore } from "./store/pool-store";
import type { RateLimiter } from "./store/rate-limiter";
import type { RuntimeSettings } from "./store/records";
import type { KeyRing } from "./tokens/key-ring";

/** Everything a request handler of the stand-in works with. One instance per pool object. */
export interface PoolServices {
  config: Config;
  template: PoolTemplate;
  store: PoolStore;
  keys: KeyRing;
  limiter: RateLimiter;
  /** Quota, rate limit and clock offset now in force (wrangler vars, changed by `/_local/settings`). */
  runtime(): RuntimeSettings;
  /** Epoch milliseconds on the stand-in's clock (the wall clock plus the test offset). */
  now(): number;
}
