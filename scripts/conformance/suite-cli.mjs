// The conformance suite's command line, run through npx under Node 22, and the folder its results
// go to.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signalProcessGroup } from "../lib/process-group.mjs";

/** The suite's version: results are only comparable run to run with the same one (needs Node 22). */
export const CONFORMANCE_PACKAGE = "@modelcontextprotocol/conformance@0.2.0-alpha.12";

/**
 * Runs the suite's command line with `args` (`client ...`, `server ...`, `list ...`), echoing what
 * it prints on stdout when `echo` (the default); `stderr` is inherited unless `"ignore"`.
 * `onOutput(all, stop)` sees the output so far after each chunk and may stop the suite; with
 * `timeoutMs` it is stopped after that long (the message names `label`). Resolves with the
 * output and exit code when it exits: the suite's code is no verdict, a scenario's verdict is its
 * checks, read after.
 * @param {{suitePackage?: string, echo?: boolean, stderr?: "inherit" | "ignore", timeoutMs?: number, label?: string, onOutput?: (output: string, stop: () => void) => void}} [options]
 * @returns {Promise<{output: string, code: number | null}>}
 */
export function runSuiteCli(args, options = {}) {
  const echo = options.echo ?? true;
  return new Promise((resolve, reject) => {
    const suitePackage = options.suitePackage ?? CONFORMANCE_PACKAGE;
    const child = spawn(
      "npx",
      ["-y", "-p", "node@22", "-p", suitePackage, "conformance", ...args],
      {
        stdio: ["ignore", "pipe", options.stderr ?? "inherit"],
        // Its own process group when it may be stopped, so that npx and the Node it starts stop
        // together.
        detached: options.timeoutMs !== undefined || options.onOutput !== undefined,
      },
    );
    const stop = () => signalProcessGroup(child, "SIGTERM");
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            console.error(
              `${options.label}: the suite did not finish within ${options.timeoutMs / 1000} s`,
            );
            stop();
          }, options.timeoutMs);
    let output = "";
    child.stdout.on("data", (chunk) => {
      if (echo) process.stdout.write(chunk);
      output += chunk.toString();
      options.onOutput?.(output, stop);
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ output, code });
    });
  });
}

/**
 * Runs `work(dir)` with a new temporary folder for the suite's results, then removes it, unless
 * KEEP_RESULTS is set: then it says where the suite's checks.json files are kept to read.
 */
export async function withResultsDir(prefix, work) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await work(dir);
  } finally {
    if (process.env.KEEP_RESULTS) console.log(`results kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
