import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { listDeployableWorkers } from "../deploy/workers.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const deployScript = fileURLToPath(new URL("../deploy.mjs", import.meta.url));

async function runDeploy(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [deployScript, ...args],
      {
        cwd: root,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm run deploy -- --dry-run: every worker builds within its size budget", () => {
  it("deploys every workers/*/wrangler.toml except the Cognito stand-in", () => {
    const names = listDeployableWorkers().map((w: { name: string }) => w.name);
    expect(names).toContain("mcp-rs");
    expect(names).toContain("dcr");
    expect(names).not.toContain("cognito-local");
  });

  it("prints a size table and exits 0", async () => {
    const { code, stdout } = await runDeploy(["--dry-run"]);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^worker\s+bundle KiB\s+gzip KiB\s+budget KiB \(gzip\)\s+status$/);
    for (const { name } of listDeployableWorkers()) {
      expect(stdout).toMatch(new RegExp(`^${name}\\s+[\\d.]+\\s+[\\d.]+\\s+\\d+\\s+ok$`, "m"));
    }
    const mcpRs = /^mcp-rs\s+[\d.]+\s+([\d.]+)\s+150\s+ok$/m.exec(stdout);
    expect(Number(mcpRs?.[1])).toBeGreaterThan(10);
  });

  it("exits 1 and names the worker when a bundle exceeds its budget", async () => {
    const { code, stdout, stderr } = await runDeploy([
      "--dry-run",
      "--only",
      "dcr",
      "--budget",
      "dcr=1",
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^dcr\s+[\d.]+\s+[\d.]+\s+1\s+OVER BUDGET$/m);
    expect(stdout).not.toMatch(/^mcp-rs/m);
    expect(stderr).toContain("over budget: dcr");
  });

  it("refuses --rotate-dcr-key with --dry-run, which has no account, and builds nothing", async () => {
    const { code, stdout, stderr } = await runDeploy(["--dry-run", "--rotate-dcr-key"]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      "deploy failed: --rotate-dcr-key needs an account; it cannot go with --dry-run",
    );
    expect(stdout).toBe("");
  });

  it("refuses a malformed budget", async () => {
    const { code, stderr } = await runDeploy(["--dry-run", "--budget", "dcr"]);
    expect(code).toBe(1);
    expect(stderr).toContain('"--budget" must look like name=KiB, got "dcr"');
  });
});
