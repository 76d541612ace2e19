// How a secret reaches a command that reads it from a file (the AWS CLI's `file://`, wrangler's
// `--secrets-file`) without ever being in argv: a file only its owner can read, in a folder made
// for it, deleted as soon as the command is done.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Calls `use(path)` with `text` written to `path`, a new file (mode 0600) in a fresh temporary
 * folder (mode 0700, from mkdtemp), and deletes the folder afterwards, whether `use` succeeded or
 * threw.
 * @template T
 * @param {string} text
 * @param {(path: string) => Promise<T>} use
 * @param {{name?: string}} [options] the file's name (default "secret")
 * @returns {Promise<T>}
 */
export async function withSecretFile(text, use, options = {}) {
  if (typeof text !== "string") throw new TypeError("withSecretFile needs the file's text");
  const dir = mkdtempSync(join(tmpdir(), "mcp-deploy-"));
  try {
    const path = join(dir, options.name ?? "secret");
    // "wx": never write through a file that is already there.
    writeFileSync(path, text, { mode: 0o600, flag: "wx" });
    return await use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
