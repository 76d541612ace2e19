import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cleanup } from "../deploy/cleanup.mjs";
import { createFakeRunner, WRANGLER_BIN } from "./fake-runner.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const workers = ["dcr", "mcp-rs"].map((name) => ({
  name,
  dir: join(root, "workers", name),
  configPath: join(root, "workers", name, "wrangler.toml"),
}));
const config = { stackName: "mcp-test", region: "eu-west-1", workersDevSubdomain: "acme" };
const deployed = () =>
  createFakeRunner({
    workers: ["dcr", "mcp-rs"],
    namespaces: [
      { id: "a".repeat(32), title: "mcp-test-mcp-registrations" },
      { id: "b".repeat(32), title: "someone-elses-namespace" },
    ],
  });

describe("npm run cleanup: deletes what deploy made, after a typed confirmation", () => {
  it("deletes the workers, then their KV namespace, then the stack, in that order", async () => {
    const fake = deployed();
    const done = await cleanup({
      workers,
      wranglerBin: WRANGLER_BIN,
      config,
      yes: true,
      run: fake.run,
      log: () => {},
    });
    expect(done).toBe(true);
    expect(fake.calls).toEqual([
      { command: "wrangler delete dcr --force", cwd: workers[0].dir },
      { command: "wrangler delete mcp-rs --force", cwd: workers[1].dir },
      { command: "wrangler kv namespace list", cwd: root },
      {
        command: `wrangler kv namespace delete --namespace-id ${"a".repeat(32)} --skip-confirmation`,
        cwd: root,
      },
      { command: "aws cloudformation delete-stack --stack-name mcp-test --region eu-west-1" },
      {
        command:
          "aws cloudformation wait stack-delete-complete --stack-name mcp-test --region eu-west-1",
      },
    ]);
    // Another project's namespace is left alone.
    expect(fake.namespaces).toEqual([{ id: "b".repeat(32), title: "someone-elses-namespace" }]);
    expect([...fake.workers]).toEqual([]);
  });

  it("asks first, and deletes nothing unless the stack name is typed", async () => {
    const fake = deployed();
    const asked: string[] = [];
    const done = await cleanup({
      workers,
      wranglerBin: WRANGLER_BIN,
      config,
      run: fake.run,
      confirm: async (question: string, expected: string) => {
        asked.push(question);
        return "yes" === expected;
      },
      log: () => {},
    });
    expect(done).toBe(false);
    expect(asked[0]).toContain("Type the stack name to go on");
    expect(asked[0]).toContain("mcp-test");
    expect(fake.calls).toEqual([]);
  });

  it("goes on when the stack name is typed", async () => {
    const fake = deployed();
    const done = await cleanup({
      workers,
      wranglerBin: WRANGLER_BIN,
      config,
      run: fake.run,
      confirm: async (_question: string, expected: string) => "mcp-test" === expected,
      log: () => {},
    });
    expect(done).toBe(true);
    expect(fake.calls.at(-1)?.command).toContain("wait stack-delete-complete");
  });

  it("a second run finishes although the workers and namespace are gone", async () => {
    const fake = deployed();
    const options = { workers, wranglerBin: WRANGLER_BIN, config, yes: true, log: () => {} };
    await cleanup({ ...options, run: fake.run });
    fake.calls.length = 0;
    const run: typeof fake.run = async (command, args, runOptions) =>
      args.includes("delete") && args.includes("--force")
        ? {
            code: 1,
            stdout: "",
            stderr: "This Worker does not exist on your account. [code: 10007]",
          }
        : fake.run(command, args, runOptions);
    await expect(cleanup({ ...options, run })).resolves.toBe(true);
    expect(fake.calls.map((c) => c.command)).toEqual([
      "wrangler kv namespace list",
      "aws cloudformation delete-stack --stack-name mcp-test --region eu-west-1",
      "aws cloudformation wait stack-delete-complete --stack-name mcp-test --region eu-west-1",
    ]);
  });
});
