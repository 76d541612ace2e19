import { type ExecFileException, execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const TEMPLATE = "infra/cognito.yaml";
const CFN_LINT_TIMEOUT_MS = 120_000;

interface RunResult {
  /** Exit code; `null` when the program could not be started (see `error`). */
  code: number | null;
  error?: ExecFileException;
  output: string;
}

/** Runs a program from the repository root and collects its exit code and all its output. */
function run(file: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: REPO_ROOT, timeout: CFN_LINT_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (error === null) resolve({ code: 0, output });
        else if (typeof error.code === "number") resolve({ code: error.code, output });
        else resolve({ code: null, error, output });
      },
    );
  });
}

describe("infra/cognito.yaml passes cfn-lint", () => {
  it(
    "cfn-lint infra/cognito.yaml reports nothing",
    async ({ skip }) => {
      const result = await run("cfn-lint", [TEMPLATE]);
      if (result.error?.code === "ENOENT") {
        const help = "cfn-lint is not installed; install it with `pip install cfn-lint`";
        if (process.env.CI) throw new Error(`${help} (CI must lint the template)`);
        skip(help);
      }
      if (result.error) throw result.error;
      expect({ code: result.code, output: result.output }).toEqual({ code: 0, output: "" });
    },
    CFN_LINT_TIMEOUT_MS,
  );
});
