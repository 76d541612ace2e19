// CPU time of the processes a request passes through, read from /proc: the workerd processes
// wrangler starts below this one, and this Node process.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** `_SC_CLK_TCK`, the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));

/**
 * The workerd processes below this one (found once the workers have served): `all` of them, and
 * the `runtimes` that run the workers, not wrangler's dev proxies in front of them, which listen
 * on the ports the workers were given.
 * @returns {{all: string[], runtimes: string[]}}
 */
export function findWorkerdProcesses() {
  const all = findWorkerdPids();
  const isDevProxy = (pid) => /--socket-addr=entry=127\.0\.0\.1:[1-9]/.test(readCommandLine(pid));
  const runtimes = all.filter((pid) => !isDevProxy(pid));
  if (runtimes.length === 0) throw new Error("no workerd runtime process found in /proc");
  return { all, runtimes };
}

/** User + system CPU time of this Node process so far, in milliseconds. */
export function readNodeCpuMillis() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** User + system CPU time of these processes (all their threads) so far, in milliseconds. */
export function readCpuMillis(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat) throw new Error(`workerd process ${pid} is gone`);
    ticks += stat.utime + stat.stime;
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Every workerd process below this one (wrangler starts them as its children). */
function findWorkerdPids() {
  const parents = new Map();
  const names = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (!stat) continue;
    parents.set(entry, stat.ppid);
    names.set(entry, stat.comm);
  }
  const isOurs = (pid) => {
    for (let at = pid; at && at !== "0"; at = parents.get(at))
      if (at === String(process.pid)) return true;
    return false;
  };
  return [...names].filter(([pid, comm]) => comm === "workerd" && isOurs(pid)).map(([pid]) => pid);
}

/** A process's command line, its arguments joined by spaces. */
function readCommandLine(pid) {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
}

/** The fields of /proc/<pid>/stat used here; undefined when the process is gone. */
function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces; fields after it are space-separated.
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  return {
    comm: text.slice(text.indexOf("(") + 1, close),
    ppid: fields[1],
    utime: Number(fields[11]),
    stime: Number(fields[12]),
  };
}
