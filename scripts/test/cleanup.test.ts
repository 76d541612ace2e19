import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { deleteStack } from "../deploy/aws/cloudformation.mjs";
import { cleanup } from "../deploy/cleanup.mjs";
import {
  createdKey,
  createFakeRunner,
  DCR_USER,
  type FakeStack,
  OUTPUTS,
  WRANGLER_BIN,
} from "./fake-runner.ts";
import { TEST_WORKERS } from "./test-workers.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const workers = TEST_WORKERS;
const template = join(root, "infra", "cognito.yaml");
const config = { stackName: "mcp-test", region: "eu-west-1", workersDevSubdomain: "acme" };
/** As npm run deploy leaves it: the pool protected (DeletionProtection at its default, ACTIVE). */
const deployed = (
  stack: FakeStack = { status: "CREATE_COMPLETE", parameters: { DomainPrefix: "mcp-test" } },
) =>
  createFakeRunner({
    workers: ["dcr", "mcp-rs"],
    namespaces: [
      { id: "a".repeat(32), title: "mcp-test-mcp-registrations" },
      { id: "b".repeat(32), title: "someone-elses-namespace" },
    ],
    stack,
  });
const stackCalls = {
  status:
    "aws cloudformation describe-stacks --stack-name mcp-test --query Stacks[0].StackStatus --output text --region eu-west-1",
  unprotect: `aws cloudformation deploy --template-file ${template} --stack-name mcp-test --capabilities CAPABILITY_IAM --parameter-overrides DeletionProtection=INACTIVE --no-fail-on-empty-changeset --region eu-west-1`,
  resources:
    "aws cloudformation describe-stack-resources --stack-name mcp-test --output json --region eu-west-1",
  keys: `aws iam list-access-keys --user-name ${DCR_USER} --output json --region eu-west-1`,
  delete: "aws cloudformation delete-stack --stack-name mcp-test --region eu-west-1",
  wait: "aws cloudformation wait stack-delete-complete --stack-name mcp-test --region eu-west-1",
};

type FakeRunner = ReturnType<typeof createFakeRunner>;
/** Runs the cleanup unasked (`--yes`) with `run`; its log lines go to `log`, or nowhere. */
const cleanupUnasked = (run: FakeRunner["run"], log: (line: string) => void = () => {}) =>
  cleanup({ workers, wranglerBin: WRANGLER_BIN, config, yes: true, run, log });
/** The AWS CLI commands the fake was given, in order. */
const awsCommands = (fake: FakeRunner) =>
  fake.calls.map((c) => c.command).filter((c) => c.startsWith("aws"));

describe("npm run cleanup: deletes what deploy made, after a typed confirmation", () => {
  it("deletes the workers, then their KV namespace, then the stack, in that order", async () => {
    const fake = deployed();
    // What the stack is when its deletion starts.
    let stackWhenDeleted: FakeStack | undefined;
    const run: typeof fake.run = (command, args, runOptions) => {
      if (args[1] === "delete-stack") stackWhenDeleted = fake.stack();
      return fake.run(command, args, runOptions);
    };
    const done = await cleanupUnasked(run);
    expect(done).toBe(true);
    expect(fake.calls).toEqual([
      { command: "wrangler delete dcr --force", cwd: workers[0].dir },
      { command: "wrangler delete mcp-rs --force", cwd: workers[1].dir },
      { command: "wrangler kv namespace list", cwd: root },
      {
        command: `wrangler kv namespace delete --namespace-id ${"a".repeat(32)} --skip-confirmation`,
        cwd: root,
      },
      { command: stackCalls.status },
      { command: stackCalls.unprotect },
      // The stack's own key only: nothing else to delete before the IAM user can go.
      { command: stackCalls.resources },
      { command: stackCalls.keys },
      { command: stackCalls.delete },
      { command: stackCalls.wait },
    ]);
    // Deletion protection off, every other parameter as deployed; then the stack is gone.
    expect(stackWhenDeleted?.parameters).toEqual({
      DomainPrefix: "mcp-test",
      DeletionProtection: "INACTIVE",
    });
    expect(fake.stack()).toBeUndefined();
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
    await cleanupUnasked(fake.run);
    fake.calls.length = 0;
    const run: typeof fake.run = async (command, args, runOptions) =>
      args.includes("delete") && args.includes("--force")
        ? {
            code: 1,
            stdout: "",
            stderr: "This Worker does not exist on your account. [code: 10007]",
          }
        : fake.run(command, args, runOptions);
    const logs: string[] = [];
    await expect(cleanupUnasked(run, (line) => logs.push(line))).resolves.toBe(true);
    // The stack is gone: it is neither deployed again (which would create it) nor deleted.
    expect(fake.calls.map((c) => c.command)).toEqual([
      "wrangler kv namespace list",
      stackCalls.status,
    ]);
    expect(logs).toContain("stack mcp-test: not found, nothing to delete");
    expect(fake.stack()).toBeUndefined();
  });
});

describe("npm run cleanup: the user pool's deletion protection", () => {
  it("the fake stands for CloudFormation: a protected pool makes the stack's deletion fail", async () => {
    const fake = deployed();
    await expect(
      deleteStack(fake.run, { stackName: "mcp-test", region: "eu-west-1" }),
    ).rejects.toThrow(
      'Waiter StackDeleteComplete failed: Waiter encountered a terminal failure state: For expression "Stacks[].StackStatus" we matched expected path: "DELETE_FAILED" at least once',
    );
    expect(fake.stack()?.status).toBe("DELETE_FAILED");
  });

  it("a stack whose creation rolled back (nothing to protect, cannot be updated) is deleted as it is", async () => {
    const fake = deployed({
      status: "ROLLBACK_COMPLETE",
      parameters: { DeletionProtection: "INACTIVE" },
    });
    await cleanupUnasked(fake.run);
    expect(awsCommands(fake)).toEqual([
      stackCalls.status,
      stackCalls.resources,
      stackCalls.keys, // the user is gone with the rollback: nothing to delete
      stackCalls.delete,
      stackCalls.wait,
    ]);
    expect(fake.stack()).toBeUndefined();
  });

  it("a stack whose deletion failed (it cannot be updated) has its deletion retried as it is", async () => {
    // An earlier cleanup turned protection off, then the deletion failed for another reason.
    const fake = deployed({
      status: "DELETE_FAILED",
      parameters: { DomainPrefix: "mcp-test", DeletionProtection: "INACTIVE" },
    });
    await cleanupUnasked(fake.run);
    expect(awsCommands(fake)).toEqual([
      stackCalls.status,
      stackCalls.resources,
      stackCalls.keys,
      stackCalls.delete,
      stackCalls.wait,
    ]);
    expect(fake.stack()).toBeUndefined();
  });
});

describe("npm run cleanup: access keys of dcr's user that the stack did not make", () => {
  /** As after `npm run deploy -- --rotate-dcr-key`: the stack's key deleted, a rotated one in use. */
  const rotated = (stack?: FakeStack) => {
    const fake = deployed(stack);
    fake.accessKeys.delete(OUTPUTS.DcrAccessKeyId);
    fake.accessKeys.set(createdKey(1).accessKeyId, { secret: "s", refusals: 0 });
    return fake;
  };

  it("the fake stands for IAM: a user with a key the stack did not make stops the deletion", async () => {
    const fake = rotated({
      status: "CREATE_COMPLETE",
      parameters: { DeletionProtection: "INACTIVE" },
    });
    await expect(
      deleteStack(fake.run, { stackName: "mcp-test", region: "eu-west-1" }),
    ).rejects.toThrow("DELETE_FAILED");
  });

  it("deletes a rotated key of DcrUser before deleting the stack", async () => {
    const fake = rotated();
    const logs: string[] = [];
    await cleanupUnasked(fake.run, (line) => logs.push(line));
    expect(awsCommands(fake)).toEqual([
      stackCalls.status,
      stackCalls.unprotect,
      stackCalls.resources,
      stackCalls.keys,
      `aws iam delete-access-key --user-name ${DCR_USER} --access-key-id ${createdKey(1).accessKeyId} --region eu-west-1`,
      stackCalls.delete,
      stackCalls.wait,
    ]);
    expect(logs).toContain(
      `stack mcp-test: deleting ${DCR_USER}'s access key ${createdKey(1).accessKeyId}`,
    );
    expect(fake.stack()).toBeUndefined();
  });
});
