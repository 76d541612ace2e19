// moto_server, a Python stand-in for AWS, on loopback.
import { execFileSync, spawn } from "node:child_process";
import { findFreePort } from "./ports.mjs";

/** Whether moto_server (a Python tool, `pip install 'moto[server]'`) can run here. */
export function hasMotoServer() {
  try {
    execFileSync("moto_server", ["--help"], { stdio: "ignore", timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Starts moto_server on a free 127.0.0.1 port and waits until it answers; `stop()` ends it. */
export async function startMotoServer() {
  const port = await findFreePort();
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore",
  });
  const origin = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${origin}/moto-api/`)).status < 500) return { origin, stop };
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`moto_server did not start on ${origin}`);
}
