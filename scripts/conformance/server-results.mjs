// Reading and judging the conformance suite's server results: pure functions over its checks.json
// files, its expected-failures file and what it prints.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** Statuses that fail a check: a FAILURE, or a WARNING (a SHOULD the server missed). */
const isFailing = (check) => check.status === "FAILURE" || check.status === "WARNING";

/**
 * The entries of an expected-failures file's `server` list, as the suite reads them:
 * `<scenario>` (the whole scenario) or `<scenario>:<check-id>`.
 * @param {string} text the file's YAML
 * @returns {{scenario: string, checkId?: string}[]}
 */
export function parseExpectedFailures(text) {
  const document = parse(text) ?? {};
  const list = document.server ?? [];
  if (!Array.isArray(list)) throw new TypeError('"server" must be a list of scenario entries');
  return list.map((entry) => {
    if (typeof entry !== "string" || entry === "")
      throw new TypeError(`expected-failures entry ${JSON.stringify(entry)} is not a string`);
    const colon = entry.indexOf(":");
    return colon < 0
      ? { scenario: entry }
      : { scenario: entry.slice(0, colon), checkId: entry.slice(colon + 1) };
  });
}

/** {@link parseExpectedFailures} of the file at `path`. */
export function readExpectedFailures(path) {
  return parseExpectedFailures(readFileSync(path, "utf8"));
}

/** How an expected-failures entry is written: `scenario` or `scenario:check-id`. */
export function formatExpectedFailure(entry) {
  return entry.checkId === undefined ? entry.scenario : `${entry.scenario}:${entry.checkId}`;
}

/**
 * Every server scenario's checks under `dir`, by name (`tools-list`); the suite writes
 * `<output dir>/server-<name>-<timestamp>/checks.json`. A scenario the suite skipped has a folder
 * but no checks.json, and is left out.
 * @param {string} dir
 * @returns {Map<string, {id: string, status: string}[]>}
 */
export function readServerResults(dir) {
  const results = new Map();
  if (!existsSync(dir)) return results;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry.name)?.[1];
    const checks = join(dir, entry.name, "checks.json");
    if (!entry.isDirectory() || !name || !existsSync(checks)) continue;
    results.set(name, JSON.parse(readFileSync(checks, "utf8")));
  }
  return results;
}

/**
 * How many scenarios a run announced (`Running requirements 2026-07-28 (50 scenarios) against`,
 * `Running active suite (31 scenarios) against`); undefined when it printed no such line.
 * @param {string} output
 */
export function parseScenarioCount(output) {
  const count = /^Running .+ \((\d+) scenarios\) against /m.exec(output)?.[1];
  return count === undefined ? undefined : Number(count);
}

/**
 * One check per id, the worst status kept (a check may be reported more than once), as the
 * suite does before it compares with the expected failures; INFO lines are notes, left out.
 */
function dedupeChecks(checks) {
  const rank = (status) => ({ FAILURE: 3, WARNING: 2, SUCCESS: 1 })[status] ?? 0;
  const worst = new Map();
  for (const check of checks) {
    if (check.status === "INFO") continue;
    const seen = worst.get(check.id);
    if (seen === undefined || rank(check.status) > rank(seen.status)) worst.set(check.id, check);
  }
  return [...worst.values()];
}

/**
 * The verdict of one run. The judged scenarios are the `scored` ones and the `required` ones
 * (all of them when no `scored` list is given); the others are counted apart. In a judged
 * scenario a failing check (FAILURE or WARNING) is expected only when the expected-failures list
 * names it (or its whole scenario); every other one fails the run, as does a listed check that
 * now passes (a stale entry), a run that reported fewer scenarios than it `announced`, or a
 * scored or `required` scenario with no result. `clean` counts judged scenarios with no failing
 * check at all, expected or not; `matched` holds the entries that met a failing check.
 * @param {Map<string, {id: string, status: string}[]>} results
 * @param {{scenario: string, checkId?: string}[]} expectedFailures
 * @param {{announced?: number, scored?: string[], required?: string[]}} [options]
 */
export function judgeServerRun(results, expectedFailures, options = {}) {
  const required = options.required ?? [];
  // Warnings (never failures) that a stateless server meets by design, outside the required
  // scenarios; each is named in the run's line.
  const acceptedWarnings = new Set(
    Object.keys(options.acceptedWarnings ?? {}).filter(
      (key) => !required.includes(key.split(":")[0]),
    ),
  );
  const accepted = [];
  const judgedNames = options.scored ? new Set([...options.scored, ...required]) : undefined;
  const entries = new Map(expectedFailures.map((entry) => [formatExpectedFailure(entry), entry]));
  const matched = new Set();
  const unexpected = [];
  const stale = [];
  const notScored = { scenarios: 0, failing: 0 };
  let judged = 0;
  let expected = 0;
  let passed = 0;
  let clean = 0;
  for (const [scenario, all] of results) {
    const checks = dedupeChecks(all);
    const failing = checks.filter(isFailing);
    if (judgedNames && !judgedNames.has(scenario)) {
      notScored.scenarios++;
      if (failing.length > 0) notScored.failing++;
      continue;
    }
    judged++;
    passed += checks.filter((check) => check.status === "SUCCESS").length;
    if (failing.length === 0) clean++;
    if (entries.has(scenario)) {
      if (failing.length === 0) stale.push(scenario);
      else matched.add(scenario);
      expected += failing.length;
      continue;
    }
    for (const check of failing) {
      const key = `${scenario}:${check.id}`;
      if (entries.has(key)) {
        expected++;
        matched.add(key);
      } else if (check.status === "WARNING" && acceptedWarnings.has(key)) accepted.push(key);
      else unexpected.push(`${key} (${check.status})`);
    }
    for (const check of checks)
      if (check.status === "SUCCESS" && entries.has(`${scenario}:${check.id}`))
        stale.push(`${scenario}:${check.id}`);
  }
  const failed = unexpected.filter((line) => line.endsWith("(FAILURE)")).length;
  const missing = [...new Set([...(options.scored ?? []), ...required])].filter(
    (scenario) => !results.has(scenario),
  );
  const incomplete = options.announced === undefined || results.size < options.announced;
  return {
    judged,
    reported: results.size,
    announced: options.announced,
    clean,
    passed,
    failed,
    warnings: unexpected.length - failed,
    expected,
    unexpected,
    accepted,
    stale,
    missing,
    matched,
    notScored,
    ok:
      judged > 0 &&
      !incomplete &&
      unexpected.length === 0 &&
      stale.length === 0 &&
      missing.length === 0,
  };
}

/**
 * One line for a run, e.g. `server 2026-07-28: 9/38 scenarios, 120 checks passed, 0 failed,
 * 0 warnings (45 expected failures: suite fixtures)`: the judged scenarios with no failing check
 * at all out of all judged, the passed checks, the failing checks not expected, and the expected
 * ones; then the scenarios not scored, and whatever failed the run.
 * @param {string} label
 * @param {ReturnType<typeof judgeServerRun>} verdict
 */
export function formatServerRunLine(label, verdict) {
  const parts = [
    `${label}: ${verdict.clean}/${verdict.judged} scenarios, ${verdict.passed} checks passed, ${verdict.failed} failed, ${verdict.warnings} warnings (${verdict.expected} expected failures: suite fixtures)`,
  ];
  if (verdict.notScored.scenarios > 0)
    parts.push(
      `not scored: ${verdict.notScored.scenarios} scenarios, ${verdict.notScored.failing} failing`,
    );
  if (verdict.announced === undefined) parts.push("the suite announced no scenarios");
  else if (verdict.reported < verdict.announced)
    parts.push(`${verdict.reported} of ${verdict.announced} scenarios reported`);
  if (verdict.accepted?.length > 0)
    parts.push(`accepted warnings (stateless by design): ${verdict.accepted.join(", ")}`);
  if (verdict.unexpected.length > 0) parts.push(`unexpected: ${verdict.unexpected.join(", ")}`);
  if (verdict.stale.length > 0)
    parts.push(`expected to fail but passed: ${verdict.stale.join(", ")}`);
  if (verdict.missing.length > 0) parts.push(`no result: ${verdict.missing.join(", ")}`);
  return parts.join("; ");
}

/**
 * Expected-failures entries that met no failing check in any run: a misspelt or outdated entry
 * would otherwise hide nothing and go unnoticed.
 * @param {{scenario: string, checkId?: string}[]} expectedFailures
 * @param {Set<string>[]} matchedByRun
 */
export function findUnusedExpectedFailures(expectedFailures, matchedByRun) {
  return expectedFailures
    .map(formatExpectedFailure)
    .filter((key) => !matchedByRun.some((matched) => matched.has(key)));
}
