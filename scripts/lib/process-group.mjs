// Stopping a child started with `detached: true` together with what it started.

/**
 * Sends `signal` to a detached child's process group, so that it and its own children (npx and the
 * Node it starts, wrangler and workerd) get it; on Windows, to the child alone. A group already
 * gone is not an error.
 * @param {import("node:child_process").ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
export function signalProcessGroup(child, signal) {
  try {
    process.kill(process.platform === "win32" ? child.pid : -child.pid, signal);
  } catch {
    // Already gone.
  }
}
