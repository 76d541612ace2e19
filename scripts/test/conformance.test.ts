import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatSummary, readScenarioResults, summarizeChecks } from "../conformance/results.mjs";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function writeResults(results: Record<string, { status: string }[]>) {
  const dir = mkdtempSync(join(tmpdir(), "conformance-test-"));
  dirs.push(dir);
  for (const [name, checks] of Object.entries(results)) {
    const path = join(dir, "suite", `${name}-2026-11-26T09-07-43-319Z`);
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, "checks.json"), JSON.stringify(checks));
  }
  return dir;
}

describe("conformance results: a scenario passes with no failure and no warning", () => {
  it("counts statuses; INFO is a note", () => {
    expect(
      summarizeChecks([{ status: "SUCCESS" }, { status: "INFO" }, { status: "SUCCESS" }]),
    ).toEqual({ passed: 2, failed: 0, warnings: 0, ok: true });
    expect(summarizeChecks([{ status: "SUCCESS" }, { status: "WARNING" }]).ok).toBe(false);
    expect(summarizeChecks([{ status: "FAILURE" }]).ok).toBe(false);
  });

  it("reads each scenario's checks.json by its name", () => {
    const dir = writeResults({
      "auth/basic-cimd": [{ status: "SUCCESS" }],
      "auth/pre-registration": [{ status: "FAILURE" }],
    });
    const results = readScenarioResults(dir);
    expect([...results.keys()].sort()).toEqual(["auth/basic-cimd", "auth/pre-registration"]);
    expect(results.get("auth/pre-registration")?.failed).toBe(1);
  });

  it("fails the run for a failed, a warned or a missing scenario, and counts draft apart", () => {
    const results = readScenarioResults(
      writeResults({
        "auth/a": [{ status: "SUCCESS" }],
        "auth/b": [{ status: "WARNING" }],
        "auth/d": [{ status: "SUCCESS" }],
      }),
    );
    const summary = formatSummary(results, {
      expected: ["auth/a", "auth/b", "auth/c", "auth/d"],
      draft: ["auth/d"],
    });
    expect(summary).toMatchObject({ ok: false, dated: 1, draft: 1 });
    expect(summary.text).toContain("FAIL  auth/b: 0 passed, 0 failed, 1 warnings");
    expect(summary.text).toContain("FAIL  auth/c: no result");
    expect(summary.text).toContain(
      "1 of 3 scenarios of revisions 2025-06-18 and 2025-11-25 pass; 1 of 1 draft scenarios pass.",
    );
    const all = formatSummary(results, { expected: ["auth/a", "auth/d"], draft: ["auth/d"] });
    expect(all.ok).toBe(true);
  });
});
