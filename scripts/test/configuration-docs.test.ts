import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { listDeployableWorkers } from "../deploy/workers.mjs";
import { importWrangler } from "../lib/wrangler.mjs";
import { findEnvReads, findUndocumented, readWorkerSources, sectionOf } from "./env-reads";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const doc = readFileSync(join(root, "docs", "configuration.md"), "utf8");
const wrangler = await importWrangler();
const workers = [
  ...listDeployableWorkers(),
  { name: "cognito-local", configPath: join(root, "workers", "cognito-local", "wrangler.toml") },
];

type Raw = Record<string, unknown> & {
  vars?: Record<string, unknown>;
  kv_namespaces?: { binding: string }[];
  durable_objects?: { bindings?: { name: string }[] };
  ratelimits?: { name: string }[];
  r2_buckets?: { binding: string }[];
  d1_databases?: { binding: string }[];
  services?: { binding: string }[];
  queues?: { producers?: { binding: string }[] };
  analytics_engine_datasets?: { binding: string }[];
  ai?: { binding: string };
  assets?: { binding?: string };
  triggers?: { crons?: string[] };
};

/** The part of the page about one worker: its `## workers/<name> (...)` section. */
function workerSection(name: string): string | undefined {
  const heading = doc.split("\n").find((line) => line.startsWith(`## workers/${name} `));
  return heading === undefined ? undefined : sectionOf(doc, heading);
}

/** Every name a worker's code can read from `env`, and its cron schedules. */
function namesOf(raw: Raw): string[] {
  return [
    ...Object.keys(raw.vars ?? {}),
    ...(raw.kv_namespaces ?? []).map((b) => b.binding),
    ...(raw.durable_objects?.bindings ?? []).map((b) => b.name),
    ...(raw.ratelimits ?? []).map((b) => b.name),
    ...(raw.r2_buckets ?? []).map((b) => b.binding),
    ...(raw.d1_databases ?? []).map((b) => b.binding),
    ...(raw.services ?? []).map((b) => b.binding),
    ...(raw.queues?.producers ?? []).map((b) => b.binding),
    ...(raw.analytics_engine_datasets ?? []).map((b) => b.binding),
    ...(raw.ai ? [raw.ai.binding] : []),
    ...(raw.assets?.binding ? [raw.assets.binding] : []),
    ...(raw.triggers?.crons ?? []),
  ];
}

describe("docs/configuration.md names every var, secret and binding of every worker, in its section", () => {
  for (const worker of workers) {
    it(`workers/${worker.name}`, () => {
      const raw = wrangler.experimental_readRawConfig({ config: worker.configPath })
        .rawConfig as Raw;
      const section = workerSection(worker.name);
      expect(section, `a "## workers/${worker.name}" section`).toBeDefined();
      const names = namesOf(raw);
      expect(names.length).toBeGreaterThan(0);
      const missing = names.filter((name) => !section?.includes(`\`${name}\``));
      expect(missing).toEqual([]);
    });
  }
});

describe("docs/configuration.md names every variable, secret and binding the code reads", () => {
  for (const worker of listDeployableWorkers()) {
    it(`workers/${worker.name}: in its own section`, () => {
      const reads = findEnvReads(readWorkerSources(worker.dir, root));
      expect(reads.size).toBeGreaterThan(0);
      const section = workerSection(worker.name);
      expect(section, `a "## workers/${worker.name}" section`).toBeDefined();
      expect(findUndocumented(reads, section as string)).toEqual([]);
    });
  }
});

describe("the scanner of env reads finds every way code reads a name", () => {
  const read = (text: string, fileName = "worker/src/app.ts") =>
    [...findEnvReads([{ fileName, text }]).keys()].sort();

  it("env.NAME, c.env.NAME, this.env.NAME, env?.NAME, env!.NAME, (env as X).NAME", () => {
    expect(
      read(`
        const a = env.PLAIN;
        app.get("/", (c) => c.env.ON_CONTEXT);
        class Store { run() { return this.env.ON_THIS; } }
        const b = env?.OPTIONAL;
        const d = env!.ASSERTED;
        const e = (env as unknown as Record<string, string>).CAST;
      `),
    ).toEqual(["ASSERTED", "CAST", "ON_CONTEXT", "ON_THIS", "OPTIONAL", "PLAIN"]);
  });

  it('env["NAME"] and a template without substitutions; not a computed name', () => {
    expect(
      read('const a = env["BRACKET"]; const b = c.env[`TEMPLATE`]; const d = env[name];'),
    ).toEqual(["BRACKET", "TEMPLATE"]);
  });

  it("destructuring, renamed or not, from env and in a parameter typed as one", () => {
    expect(
      read(`
        const { DESTRUCTURED, RENAMED: renamed } = c.env;
        function f({ FROM_PARAMETER }: Env) {}
        const g = ({ FROM_SLICE }: ConfigEnv) => {};
        type ConfigEnv = Pick<Env, "PICKED">;
      `),
    ).toEqual(["DESTRUCTURED", "FROM_PARAMETER", "FROM_SLICE", "PICKED", "RENAMED"]);
  });

  it("a variable or parameter that holds an env under another name", () => {
    expect(
      read(`
        const bindings = c.env;
        bindings.THROUGH_ALIAS;
        function f(vars: Pick<Env, "SLICED">) { return vars.THROUGH_PARAMETER; }
      `),
    ).toEqual(["SLICED", "THROUGH_ALIAS", "THROUGH_PARAMETER"]);
  });

  it('Pick and Omit lists, Env["NAME"], and (typeof NAMES)[number]', () => {
    expect(
      read(`
        type A = Pick<Env, "ONE" | "TWO">;
        type B = Omit<A, "THREE">;
        type C = Env["INDEXED"];
        const VARS = ["FROM_ARRAY", "AND_ANOTHER"] as const;
        type D = Pick<Env, (typeof VARS)[number]>;
      `),
    ).toEqual(["AND_ANOTHER", "FROM_ARRAY", "INDEXED", "ONE", "THREE", "TWO"]);
  });

  it("names typed as keys of an env: arrays, and arguments of a function that takes one", () => {
    expect(
      read(`
        type Name = { [K in keyof Env]: Env[K] extends string ? K : never }[keyof Env];
        const REQUIRED = ["IN_SATISFIES"] as const satisfies readonly Name[];
        const OTHERS: (keyof Env)[] = ["IN_ANNOTATION"];
        function required(env: ConfigEnv, name: keyof ConfigEnv) { return env[name]; }
        required(env, "AS_ARGUMENT");
        type ConfigEnv = Pick<Env, "SLICE">;
      `),
    ).toEqual(["AS_ARGUMENT", "IN_ANNOTATION", "IN_SATISFIES", "SLICE"]);
  });

  it("a type alias made in one file is known in another", () => {
    const reads = findEnvReads([
      { fileName: "a.ts", text: 'export type ConfigEnv = Pick<Env, "A">;' },
      { fileName: "b.tsx", text: "export function f(settings: ConfigEnv) { return settings.B; }" },
    ]);
    expect(Object.fromEntries(reads)).toEqual({ A: ["a.ts:1"], B: ["b.tsx:1"] });
  });

  it("reads nothing from other objects", () => {
    expect(
      read(`
        const a = c.req.header("x");
        const { json } = c;
        process.version;
        function f(error: Error) { return error.message; }
        type App = { Bindings: Env; Variables: { config: string } };
        function g(c: Context<App>) { return c.var.config; }
      `),
    ).toEqual([]);
  });

  it("reports a name the worker's section does not name, with where it is read", () => {
    const reads = findEnvReads([
      {
        fileName: "worker/src/app.ts",
        text: "const a = env.DOCUMENTED;\nconst b = env.UNDOCUMENTED_NAME;",
      },
    ]);
    const page =
      "# Configuration\n\n## workers/x (X)\n\n| `DOCUMENTED` | var |\n\n## workers/y (Y)\n\n| `UNDOCUMENTED_NAME` | var |\n";
    const section = sectionOf(page, "## workers/x (X)");
    expect(section).toContain("`DOCUMENTED`");
    expect(section).not.toContain("UNDOCUMENTED_NAME");
    expect(findUndocumented(reads, section as string)).toEqual([
      "UNDOCUMENTED_NAME (worker/src/app.ts:2)",
    ]);
    expect(findUndocumented(reads, page)).toEqual([]);
  });
});
