import { logEvent } from "@mcp-cognito-workers/http";
import { createClientLocks } from "../limits/limits";
import type { Wiring } from "../wiring";
import { reconcile } from "./reconcile";

/** Longest the daily run waits for a turn to call Cognito (it is paced itself). */
const RECONCILE_PACE_MAX_WAIT_MILLISECONDS = 60_000;

/** The daily cron: Cognito reconciled with KV, stale and never-used registrations deleted. */
export function scheduledHandler(wiring: Wiring) {
  return async (_controller: ScheduledController, env: Env): Promise<void> => {
    const config = wiring.configOf(env);
    const pace = { maxWaitMs: RECONCILE_PACE_MAX_WAIT_MILLISECONDS };
    const limits = wiring.limitsOf(env);
    const report = await reconcile({
      kv: env.REGISTRATIONS,
      cognito: wiring.cognitoOptions(config, limits, pace),
      staleAfterDays: config.staleAfterDays,
      unusedClientHours: config.unusedClientHours,
      locks: createClientLocks(limits, wiring.now),
      sharedAppClients: limits,
      now: wiring.now,
      ...(config.issuer
        ? { relay: wiring.registrationContext(env, config, config.issuer, pace) }
        : {}),
      sleep: wiring.sleep,
    });
    logEvent("info", "reconciled", { ...report });
  };
}
