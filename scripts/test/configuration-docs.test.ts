import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
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

/** The root README, every page of docs/ and every worker's README, by path from the root. */
function readPages(): { path: string; text: string }[] {
  const paths = [
    "README.md",
    ...readdirSync(join(root, "docs"))
      .filter((name) => name.endsWith(".md"))
      .map((name) => join("docs", name)),
    ...readdirSync(join(root, "workers"))
      .map((name) => join("workers", name, "README.md"))
      .filter((path) => existsSync(join(root, path))),
  ];
  return paths.map((path) => ({ path, text: readFileSync(join(root, path), "utf8") }));
}

/**
 * Rows of a table of variables: the first cell is only names in backticks (`` `A` ``, or
 * `` `A`, `B` ``), one of them in `names`. Each as `path:line NAME`.
 */
function findVariableRows(page: { path: string; text: string }, names: Set<string>): string[] {
  return page.text.split("\n").flatMap((line, index) => {
    if (!line.startsWith("|")) return [];
    const first = (line.split("|")[1] ?? "").trim();
    if (!/^`[^`]+`(, `[^`]+`)*$/.test(first)) return [];
    return [...first.matchAll(/`([^`]+)`/g)]
      .map((match) => match[1] as string)
      .filter((name) => names.has(name))
      .map((name) => `${page.path}:${index + 1} ${name}`);
  });
}

/** The anchors of a page's headings, as GitHub makes them (outside fenced code). */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.+)$/.exec(line);
    if (heading)
      anchors.add(
        (heading[1] as string)
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, "")
          .replace(/ /g, "-"),
      );
  }
  return anchors;
}

/** The links of `page` to `target` (a path from the root) with an anchor: each anchor. */
function anchorsLinkedTo(page: { path: string; text: string }, target: string): string[] {
  return [...page.text.matchAll(/\]\(([^)#\s]+\.md)#([^)\s]+)\)/g)]
    .filter((match) => join(dirname(page.path), match[1] as string) === target)
    .map((match) => match[2] as string);
}

describe("docs/configuration.md is the one table of the configuration; other pages link to it", () => {
  const pages = readPages().filter((page) => page.path !== join("docs", "configuration.md"));
  const names = new Set(
    workers.flatMap((worker) =>
      namesOf(wrangler.experimental_readRawConfig({ config: worker.configPath }).rawConfig as Raw),
    ),
  );
  const anchors = headingAnchors(doc);

  it("no other page has a table row naming a var, secret or binding in its first cell", () => {
    expect(names.size).toBeGreaterThan(0);
    expect(pages.flatMap((page) => findVariableRows(page, names))).toEqual([]);
  });

  it("each worker's README links to its own section here", () => {
    for (const worker of workers) {
      const readme = pages.find((page) => page.path === join("workers", worker.name, "README.md"));
      expect(readme, `workers/${worker.name}/README.md`).toBeDefined();
      const heading = doc.split("\n").find((line) => line.startsWith(`## workers/${worker.name} `));
      expect(heading).toBeDefined();
      expect(
        anchorsLinkedTo(readme as (typeof pages)[number], join("docs", "configuration.md")),
      ).toContain([...headingAnchors(heading as string)][0]);
    }
  });

  it("every link into this page, and every link out of it to a page's heading, resolves", () => {
    const broken = pages.flatMap((page) =>
      anchorsLinkedTo(page, join("docs", "configuration.md"))
        .filter((anchor) => !anchors.has(anchor))
        .map((anchor) => `${page.path} → configuration.md#${anchor}`),
    );
    const self = { path: join("docs", "configuration.md"), text: doc };
    for (const page of readPages())
      for (const anchor of anchorsLinkedTo(self, page.path))
        if (!headingAnchors(page.text).has(anchor))
          broken.push(`configuration.md → ${relative("docs", page.path)}#${anchor}`);
    expect(broken).toEqual([]);
  });

  it("finds a variable row and a broken anchor when a page has them", () => {
    const page = {
      path: join("workers", "x", "README.md"),
      text: [
        "| name | meaning |",
        "| --- | --- |",
        "| `ISSUER` | the issuer |",
        "| `A`, `READ_SCOPE` | scopes |",
        "| `other` | `ISSUER` |",
        "| dcr's `ISSUER` (a URL) | prose that names it |",
        "",
        "See [it](../../docs/configuration.md#no-such-heading).",
      ].join("\n"),
    };
    expect(findVariableRows(page, new Set(["ISSUER", "READ_SCOPE"]))).toEqual([
      `${join("workers", "x", "README.md")}:3 ISSUER`,
      `${join("workers", "x", "README.md")}:4 READ_SCOPE`,
    ]);
    const linked = anchorsLinkedTo(page, join("docs", "configuration.md"));
    expect(linked).toEqual(["no-such-heading"]);
    expect(anchors.has("no-such-heading")).toBe(false);
    expect(anchors.has("workersdcr-authorization-server-facade-and-dcr")).toBe(true);
  });
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
