/**
 * `read` memoized per `env` object. The runtime passes the same `env` object to the requests of an
 * isolate as long as the environment has not changed, so a worker's configuration is parsed once,
 * not on every request; a new `env` (changed vars, a test's own) is read anew. What `read` throws
 * is not kept: the next request reads again, and answers (and logs) as the first did.
 * @see https://developers.cloudflare.com/workers/runtime-apis/fetch-event (`env`)
 */
export function readOncePerEnv<E extends object, T>(read: (env: E) => T): (env: E) => T {
  const values = new WeakMap<E, T>();
  return (env) => {
    if (values.has(env)) return values.get(env) as T;
    const value = read(env);
    values.set(env, value);
    return value;
  };
}
