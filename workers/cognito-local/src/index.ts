import { CognitoPool } from "./pool";

export { CognitoPool };

/** Every request goes to the one pool object, which holds the state and serves the request. */
export default {
  fetch(request, env) {
    return env.POOL.getByName(env.USER_POOL_ID).fetch(request);
  },
} satisfies ExportedHandler<Env>;
