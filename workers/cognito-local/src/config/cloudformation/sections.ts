import { fail, isTreeRecord, joinPath, type TreeRecord } from "./tree";

/** The UUID at the end of the local `AWS::StackId`, fixed so that names made from it are stable. */
export const LOCAL_STACK_UUID = "00000000-0000-4000-8000-000000000000";

/** A resource of the template, its properties unresolved. */
export interface Resource {
  logicalId: string;
  type: string;
  properties: TreeRecord;
  /** `Resources.<logicalId>`, for messages. */
  path: string;
  /** The name of the condition that decides whether the resource exists. */
  condition?: string;
}

/** The stack the template is deployed as, locally. */
export interface LocalStack {
  region: string;
  accountId: string;
  stackName: string;
}

/** A top-level section of the template (`Parameters`, `Conditions`, `Resources`); none is `{}`. */
export function readSection(root: TreeRecord, name: string): TreeRecord {
  const value = root[name];
  if (value === undefined || value === null) return {};
  if (!isTreeRecord(value)) fail(name, "must be a mapping");
  return value;
}

/** The declared resources, in template order. */
export function readResources(root: TreeRecord): Resource[] {
  return Object.entries(readSection(root, "Resources")).map(([logicalId, declaration]) => {
    const path = joinPath("Resources", logicalId);
    if (!isTreeRecord(declaration)) fail(path, "must be a mapping");
    const { Type: type, Condition: condition } = declaration;
    const properties = declaration.Properties ?? {};
    if (typeof type !== "string") fail(joinPath(path, "Type"), "must be a string");
    if (!isTreeRecord(properties)) fail(joinPath(path, "Properties"), "must be a mapping");
    if (condition !== undefined && typeof condition !== "string") {
      fail(joinPath(path, "Condition"), "must be a string");
    }
    return { logicalId, type, properties, path, ...(condition === undefined ? {} : { condition }) };
  });
}

/**
 * The pseudo parameters that have a local value (`AWS::NoValue` and `AWS::NotificationARNs` have
 * none here).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
 */
export function buildPseudoParameters({ region, accountId, stackName }: LocalStack) {
  return new Map([
    ["AWS::Region", region],
    ["AWS::AccountId", accountId],
    ["AWS::StackName", stackName],
    [
      "AWS::StackId",
      `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/${LOCAL_STACK_UUID}`,
    ],
    ["AWS::Partition", "aws"],
    ["AWS::URLSuffix", "amazonaws.com"],
  ]);
}
