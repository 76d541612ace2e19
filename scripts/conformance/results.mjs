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
 * Every scenario's summary under `dir`, by name (`auth/basic-cimd`); the suite writes
 * `<output dir>/auth/<name>-<timestamp>/checks.json`.
 * @param {string} dir
 */
export function readScenarioResults(dir) {
  const results = new Map();
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const child = join(path, entry.name);
      const checks = join(child, "checks.json");
      if (existsSync(checks)) {
        const name = `${path.split(/[\\/]/).at(-1)}/${entry.name.replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, "")}`;
        results.set(name, summarizeChecks(JSON.parse(readFileSync(checks, "utf8"))));
      } else {
        walk(child);
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return results;
}

/**
 * The report: one line per expected scenario (a missing one fails), and the pass counts of the
 * dated revisions' scenarios and of the draft ones. `ok` only when every expected one passed.
 * @param {Map<string, ReturnType<typeof summarizeChecks>>} results
 * @param {{expected: string[], draft: string[]}} options
 */
export function formatSummary(results, options) {
  const lines = [];
  let dated = 0;
  let draft = 0;
  for (const name of options.expected) {
    const result = results.get(name);
    const isDraft = options.draft.includes(name);
    if (result?.ok) {
      if (isDraft) draft++;
      else dated++;
    }
    const mark = result?.ok ? "pass" : "FAIL";
    const detail = result
      ? `${result.passed} passed, ${result.failed} failed, ${result.warnings} warnings`
      : "no result";
    lines.push(`${mark}  ${name}${isDraft ? " (draft)" : ""}: ${detail}`);
  }
  const datedTotal = options.expected.length - options.draft.length;
  lines.push(
    "",
    `${dated} of ${datedTotal} scenarios of revisions 2025-06-18 and 2025-11-25 pass; ${draft} of ${options.draft.length} draft scenarios pass.`,
  );
  const ok = dated === datedTotal && draft === options.draft.length;
  return { text: lines.join("\n"), ok, dated, draft };
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
 * that ran (`authorization: 2/2 scenarios, 3 checks passed, 0 failed, 0 warnings`). `ok` only
 * when every expected scenario passed.
 * @param {string} label
 * @param {Map<string, ReturnType<typeof summarizeChecks>>} results
 * @param {string[]} expected
 */
export function formatSuiteLine(label, results, expected) {
  const ran = expected.map((name) => results.get(name)).filter((result) => result !== undefined);
  const passing = ran.filter((result) => result.ok).length;
  const sum = (key) => ran.reduce((total, result) => total + result[key], 0);
  const line = `${label}: ${passing}/${expected.length} scenarios, ${sum("passed")} checks passed, ${sum("failed")} failed, ${sum("warnings")} warnings`;
  return { line, ok: passing === expected.length };
}
