// The bench's load generator: requests on a fixed number of keep-alive connections for a while,
// their latencies, and the summary of several rounds.
import http from "node:http";

/**
 * @typedef {object} RequestSpec one kind of request the bench sends
 * @property {string} name as the report names it
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string | number>} [headers]
 * @property {string} [body]
 * @property {(status: number, text: string) => boolean} check whether an answer is a success
 */

/**
 * Sends requests on `concurrency` connections to 127.0.0.1:`port` for `durationMs`; returns their
 * latencies in ms, the seconds it took and how many answers failed their check.
 * @param {RequestSpec} spec
 * @param {{port: number, agent: http.Agent, concurrency: number}} options
 */
export async function runLoad(spec, durationMs, options) {
  const latencies = [];
  let errors = 0;
  const deadline = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const { status, text } = await sendRequest(spec, options);
      latencies.push(performance.now() - started);
      if (!spec.check(status, text)) errors++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { latencies, seconds: (performance.now() - started) / 1000, errors };
}

/** One request on the agent's connections; resolves with the status and the body as text. */
function sendRequest(spec, { port, agent }) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: spec.method,
        path: spec.path,
        headers: spec.headers,
        agent,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on("error", reject);
    req.end(spec.body);
  });
}

/** Requests/s, p50, p99 and CPU ms per request over several rounds of one kind of request. */
export function summarizeRounds(results) {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    cpuMs: results.reduce((sum, r) => sum + r.cpuMs, 0) / latencies.length,
    pathCpuMs: results.reduce((sum, r) => sum + r.pathCpuMs, 0) / latencies.length,
  };
}

/** The `q` quantile (0 to 1) of latencies sorted in ascending order, by the nearest rank below. */
export function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
