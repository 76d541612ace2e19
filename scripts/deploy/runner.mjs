// The one place that starts processes, so tests can swap in a fake runner.
import { spawn } from "node:child_process";

/**
 * @typedef {object} RunOptions
 * @property {string} [cwd] working directory
 * @property {string} [input] written to the child's stdin (how secrets travel; never logged)
 * @property {Record<string, string | undefined>} [env] extra environment variables
 * @property {boolean} [allowFailure] resolve with the exit code instead of throwing
 */

/**
 * @typedef {object} RunResult
 * @property {number} code exit code
 * @property {string} stdout
 * @property {string} stderr
 */

/**
 * @callback Runner
 * @param {string} command
 * @param {string[]} args
 * @param {RunOptions} [options]
 * @returns {Promise<RunResult>}
 */

/** Error of a command that exited non-zero; its message never includes the stdin input. */
export class CommandError extends Error {
  constructor(command, args, result) {
    super(`${[command, ...args].join(" ")} exited with ${result.code}\n${result.stderr.trim()}`);
    this.name = "CommandError";
    this.result = result;
  }
}

/** Runs commands for real, capturing their output. @returns {Runner} */
export function createProcessRunner(options = {}) {
  const log = options.log ?? (() => {});
  return (command, args, runOptions = {}) =>
    new Promise((resolve, reject) => {
      log(`$ ${[command, ...args].join(" ")}`);
      const child = spawn(command, args, {
        cwd: runOptions.cwd,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", ...runOptions.env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk) => {
        stdout += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk) => {
        stderr += chunk;
      });
      child.on("error", reject);
      child.on("close", (code) => {
        const result = { code: code ?? 1, stdout, stderr };
        if (result.code !== 0 && !runOptions.allowFailure)
          reject(new CommandError(command, args, result));
        else resolve(result);
      });
      child.stdin.end(runOptions.input ?? "");
    });
}
