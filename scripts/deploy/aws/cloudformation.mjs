// The CloudFormation stack, through the AWS CLI: deploy, outputs, resources, status, deletion.
import { CommandError } from "../runner.mjs";
import { buildAwsArgs } from "./args.mjs";

/**
 * Creates or updates the stack and waits for it; an unchanged template and parameters are a
 * no-op (`--no-fail-on-empty-changeset`).
 * @param {import("../runner.mjs").Runner} run
 * @param {{stackName: string, templateFile: string, parameters: Record<string, string>, region?: string, endpointUrl?: string}} aws
 */
export async function deployStack(run, aws) {
  const overrides = Object.entries(aws.parameters).map(([key, value]) => `${key}=${value}`);
  await run("aws", [
    "cloudformation",
    "deploy",
    "--template-file",
    aws.templateFile,
    "--stack-name",
    aws.stackName,
    "--capabilities",
    "CAPABILITY_IAM",
    ...(overrides.length > 0 ? ["--parameter-overrides", ...overrides] : []),
    "--no-fail-on-empty-changeset",
    ...buildAwsArgs(aws),
  ]);
}

/** The stack's outputs as `{ OutputKey: OutputValue }`. */
export async function readStackOutputs(run, aws) {
  const { stdout } = await run("aws", [
    "cloudformation",
    "describe-stacks",
    "--stack-name",
    aws.stackName,
    "--output",
    "json",
    ...buildAwsArgs(aws),
  ]);
  const stack = JSON.parse(stdout).Stacks?.[0];
  if (!stack) throw new Error(`stack ${aws.stackName} not found`);
  return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
}

/** The physical id of each of the stack's resources, by logical id (`DcrUser` → the user's name). */
export async function readStackResources(run, aws) {
  const { stdout } = await run("aws", [
    "cloudformation",
    "describe-stack-resources",
    "--stack-name",
    aws.stackName,
    "--output",
    "json",
    ...buildAwsArgs(aws),
  ]);
  return Object.fromEntries(
    (JSON.parse(stdout).StackResources ?? [])
      .filter((r) => r.PhysicalResourceId)
      .map((r) => [r.LogicalResourceId, r.PhysicalResourceId]),
  );
}

/**
 * The stack's status (`CREATE_COMPLETE`, `ROLLBACK_COMPLETE`, …), or undefined when there is no
 * such stack.
 */
export async function readStackStatus(run, aws) {
  const result = await run(
    "aws",
    [
      "cloudformation",
      "describe-stacks",
      "--stack-name",
      aws.stackName,
      "--query",
      "Stacks[0].StackStatus",
      "--output",
      "text",
      ...buildAwsArgs(aws),
    ],
    { allowFailure: true },
  );
  if (result.code !== 0) {
    if (/does not exist/.test(result.stderr)) return undefined;
    throw new CommandError("aws", ["cloudformation", "describe-stacks"], result);
  }
  return result.stdout.trim();
}

/**
 * Statuses from which a stack can be updated. A stack whose creation rolled back
 * (`ROLLBACK_COMPLETE`) has no resources left, and one in `DELETE_FAILED` can only be deleted.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes
 */
const UPDATABLE_STACK_STATUSES = new Set([
  "CREATE_COMPLETE",
  "UPDATE_COMPLETE",
  "UPDATE_ROLLBACK_COMPLETE",
  "IMPORT_COMPLETE",
  "IMPORT_ROLLBACK_COMPLETE",
]);

/** Whether a stack in this status can be updated (and so have its deletion protection turned off). */
export function canUpdateStack(status) {
  return UPDATABLE_STACK_STATUSES.has(status);
}

/**
 * Turns the user pool's deletion protection off: `aws cloudformation deploy` of the same template
 * with `DeletionProtection=INACTIVE` and no other override, so every other parameter keeps the
 * value the stack has (the CLI passes `UsePreviousValue` for each).
 */
export async function disableDeletionProtection(run, aws) {
  await deployStack(run, { ...aws, parameters: { DeletionProtection: "INACTIVE" } });
}

/** Deletes the stack and waits until it is gone. */
export async function deleteStack(run, aws) {
  const args = ["--stack-name", aws.stackName, ...buildAwsArgs(aws)];
  await run("aws", ["cloudformation", "delete-stack", ...args]);
  await run("aws", ["cloudformation", "wait", "stack-delete-complete", ...args]);
}
