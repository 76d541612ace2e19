// Reading and judging the conformance suite's results: pure functions over its checks.json files.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Counts of one scenario's checks. A scenario passes with no FAILURE and no WARNING (a warning is
 * a SHOULD the client missed); INFO lines are notes.
 * @param {{status: string}[]} checks
 */
export function summarizeChecks(checks) {
  const count = (status) => checks.filter((check) => check.status === status).length;
  const failed = count("FAILURE");
  const warnings = count("WARNING");
  return { passed: count("SUCCESS"), failed, warnings, ok: failed === 0 && warnings === 0 };
}

/**
 * Every scenario's summary under `dir`, by name (`auth/basic-cimd`, `tools_call`): the suite
 * writes `<output dir>/<scenario>-<timestamp>/checks.json`, and a scenario's name may hold a `/`.
 * @param {string} dir
 */
export function readScenarioResults(dir) {
  const results = new Map();
  const walk = (path, prefix) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const child = join(path, entry.name);
      const checks = join(child, "checks.json");
      if (existsSync(checks)) {
        const name = `${prefix}${entry.name.replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, "")}`;
        results.set(name, summarizeChecks(JSON.parse(readFileSync(checks, "utf8"))));
      } else {
        walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  if (existsSync(dir)) walk(dir, "");
  return results;
}

/**
 * The report of a client run: one line per expected scenario (a missing one fails), then one per
 * scenario run but not scored (`notScored`: its reason). `ok` only when every expected one passed;
 * a scenario that is not scored cannot fail the run.
 * @param {Map<string, ReturnType<typeof summarizeChecks>>} results
 * @param {{expected: string[], notScored?: {scenario: string, reason: string}[]}} options
 */
export function formatScenarioReport(results, options) {
  const describe = (name, result, suffix, failMark) => {
    const detail = result
      ? `${result.passed} passed, ${result.failed} failed, ${result.warnings} warnings`
      : "no result";
    return `${result?.ok ? "pass" : failMark}  ${name}${suffix}: ${detail}`;
  };
  const lines = options.expected.map((name) => describe(name, results.get(name), "", "FAIL"));
  for (const { scenario, reason } of options.notScored ?? []) {
    lines.push(describe(scenario, results.get(scenario), ` (not scored: ${reason})`, "fail"));
  }
  const ok = options.expected.every((name) => results.get(name)?.ok);
  return { text: lines.join("\n"), ok };
}

/**
 * Every authorization-server scenario's summary under `dir`, by name
 * (`authorization-code-grant`); the suite writes
 * `<output dir>/authorization-server-<name>-<timestamp>/checks.json`. Stricter than a client
 * scenario: each check is a requirement on the server, so a SKIPPED one (a run that could not
 * test it) or a scenario with no passed check fails too.
 * @param {string} dir
 */
export function readAuthorizationResults(dir) {
  const results = new Map();
  if (!existsSync(dir)) return results;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = /^authorization-server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry.name)?.[1];
    const checks = join(dir, entry.name, "checks.json");
    if (!entry.isDirectory() || !name || !existsSync(checks)) continue;
    const all = JSON.parse(readFileSync(checks, "utf8"));
    const summary = summarizeChecks(all);
    const skipped = all.filter((check) => check.status === "SKIPPED").length;
    results.set(name, { ...summary, ok: summary.ok && skipped === 0 && summary.passed > 0 });
  }
  return results;
}

/**
 * One line for a whole suite: how many of the expected scenarios pass, and the checks of those
 * that ran (`authorization: 2/2 scenarios, 3 checks passed, 0 failed, 0 warnings`). With
 * `notScored` (a requirements run), the expected ones are the scored ones, and the line adds how
 * many of those run without being scored pass, by reason. `ok` only when every expected scenario
 * passed.
 * @param {string} label
 * @param {Map<string, ReturnType<typeof summarizeChecks>>} results
 * @param {string[]} expected
 * @param {{notScored?: {scenario: string, reason: string}[]}} [options]
 */
export function formatSuiteLine(label, results, expected, options = {}) {
  const ran = expected.map((name) => results.get(name)).filter((result) => result !== undefined);
  const passing = ran.filter((result) => result.ok).length;
  const sum = (key) => ran.reduce((total, result) => total + result[key], 0);
  const notScored = options.notScored;
  const scenarios = notScored ? "scored scenarios" : "scenarios";
  let line = `${label}: ${passing}/${expected.length} ${scenarios}, ${sum("passed")} checks passed, ${sum("failed")} failed, ${sum("warnings")} warnings`;
  if (notScored?.length) {
    const reasons = [...new Set(notScored.map((entry) => entry.reason))].map((reason) => {
      const entries = notScored.filter((entry) => entry.reason === reason);
      const pass = entries.filter((entry) => results.get(entry.scenario)?.ok).length;
      return `${reason} ${pass}/${entries.length}`;
    });
    const pass = notScored.filter((entry) => results.get(entry.scenario)?.ok).length;
    line += `; not scored: ${pass}/${notScored.length} pass (${reasons.join(", ")})`;
  }
  return { line, ok: passing === expected.length };
}
