// Outside tools some tests need (the AWS CLI, moto_server, Chromium): here, or skipped with a note.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Whether an outside tool the tests need is here. Missing on a developer's machine: the test is
 * skipped with a note. Missing under CI: the test fails, because CI must run it.
 */
export function requireTool(name, probe, install) {
  if (probe()) return true;
  const message = `${name} is not installed (${install}); its tests are skipped`;
  if (process.env.CI) throw new Error(`${message}, which CI does not allow`);
  console.warn(message);
  return false;
}

/** Whether a command answers `--version`. */
export function hasCommand(command) {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Debian's Chromium, or the one `CHROMIUM_PATH` names. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Whether that Chromium is here. */
export function hasChromium() {
  return existsSync(CHROMIUM_PATH);
}
