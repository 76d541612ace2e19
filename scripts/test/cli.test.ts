import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

function node(script: string, args: string[], input = "") {
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd: root,
    input,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the deploy and cleanup commands, safe without accounts", () => {
  it("npm run deploy without deploy.config.json says what to do and runs nothing", () => {
    const { code, stderr } = node("scripts/deploy.mjs", ["--config", "no-such-deploy.config.json"]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      "deploy failed: no-such-deploy.config.json not found: copy deploy.config.example.json to it and fill it in",
    );
  });

  it("npm run cleanup deletes nothing unless the stack name is typed", () => {
    const { code, stdout } = node(
      "scripts/cleanup.mjs",
      ["--config", "no-such-deploy.config.json"],
      "no\n",
    );
    expect(code).toBe(0);
    expect(stdout).toContain("Type the stack name to go on: ");
    expect(stdout).toContain("mcp-cognito-workers");
    expect(stdout.trim().endsWith("nothing deleted")).toBe(true);
  });
});
