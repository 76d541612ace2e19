import type { Principal } from "../auth/verify-token";

/** The Durable Object that holds this user's contexts. */
export function userContexts(env: Pick<Env, "USER_CONTEXTS">, principal: Principal) {
  return env.USER_CONTEXTS.getByName(principal.sub);
}
