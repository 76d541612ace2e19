// The report the registration bench prints.

/**
 * @typedef {object} LatencySummary one kind of refresh over all its rounds
 * @property {number} p50 in ms
 * @property {number} p99 in ms
 * @property {number} requests how many were timed
 */

/**
 * @typedef {object} RegistrationRun what one run of the registration bench measured
 * @property {string} wranglerVersion
 * @property {Record<string, string>} dcrVars dcr's wrangler.toml vars (its defaults)
 * @property {{count: number, seconds: number, concurrency: number, statuses: Record<number, number>}} registrations
 *   the registrations answered 201 in the sustained burst, and every status it got
 * @property {{registrations: number, sharedClients: number, seconds: number, failures: number, createUserPoolClient: {accepted?: number, throttled?: number} | undefined}} signIns
 *   the sample of registrations that signed in once each, and the app clients that made in the pool
 * @property {{direct: LatencySummary, facade: LatencySummary, errors: number}} relay
 *   refreshes straight at Cognito and through the front door
 */

/**
 * The report: the set-up, registrations per second sustained, the shared app clients per 1,000
 * registrations (or per the sample signed in), and the relay's added latency on a refresh.
 * @param {RegistrationRun} run
 */
export function formatRegistrationReport(run) {
  const { registrations: reg, signIns, relay } = run;
  const { direct: d, facade: f } = relay;
  const perSecond = reg.count / reg.seconds;
  const clientsLabel =
    signIns.registrations === 1000
      ? "app clients per 1,000 registrations"
      : `app clients for ${signIns.registrations} registrations`.padEnd(35);
  return [
    "",
    `Registration benchmark: workerd via wrangler ${run.wranglerVersion}, Node ${process.version}; dcr's defaults (APP_CLIENTS_PER_GROUP ${run.dcrVars.APP_CLIENTS_PER_GROUP}, Cognito calls ${run.dcrVars.COGNITO_CALLS_PER_SECOND}/s per operation), daily caps off`,
    `registrations sustained            ${perSecond.toFixed(0)}/s (${reg.count} in ${reg.seconds.toFixed(1)} s, ${reg.concurrency} at once, statuses ${JSON.stringify(reg.statuses)})`,
    `${clientsLabel} ${signIns.sharedClients} (shared, after each registration's first sign-in, ${signIns.seconds.toFixed(0)} s, ${signIns.failures} failed; CreateUserPoolClient calls ${signIns.createUserPoolClient?.accepted ?? 0}, throttled ${signIns.createUserPoolClient?.throttled ?? 0})`,
    `refresh straight at Cognito         p50 ${d.p50.toFixed(2)} ms  p99 ${d.p99.toFixed(2)} ms (${d.requests} requests)`,
    `refresh through the front door      p50 ${f.p50.toFixed(2)} ms  p99 ${f.p99.toFixed(2)} ms (${f.requests} requests)`,
    `relay's added latency               p50 ${(f.p50 - d.p50).toFixed(2)} ms  p99 ${(f.p99 - d.p99).toFixed(2)} ms (errors ${relay.errors})`,
    "",
  ].join("\n");
}
