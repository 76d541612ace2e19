import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { hasMotoServer, startMotoServer } from "@mcp-cognito-workers/test-support/moto";
import { hasCommand, requireTool } from "@mcp-cognito-workers/test-support/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deleteStack,
  deployStack,
  disableDeletionProtection,
  readStackOutputs,
  readStackResources,
  readStackStatus,
} from "../deploy/aws/cloudformation.mjs";
import { listAccessKeys } from "../deploy/aws/iam.mjs";
import { readDcrCredentials, readSecretString, readStackSecrets } from "../deploy/aws/secrets.mjs";
import { finishDcrKeyRotation, startDcrKeyRotation } from "../deploy/dcr-key.mjs";
import { createProcessRunner } from "../deploy/runner.mjs";

const haveTools =
  requireTool("moto_server", hasMotoServer, "pip install 'moto[server]'") &&
  requireTool("aws", () => hasCommand("aws"), "pip install awscli");

// moto's CloudFormation has no AWS::Cognito::* resource types, so infra/cognito.yaml itself
// fails there ("Fn::GetAtt references undefined resource UserPool"). This fixture keeps the
// template's IAM user, access key, Secrets Manager secrets and SNS topic, its output keys and
// three of its parameters; cfn-lint checks the real template (infra/cognito.test.ts).
const template = fileURLToPath(new URL("./fixtures/moto-stack.yaml", import.meta.url));
const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The keys of a CloudFormation template's `Outputs` section (two-space indented). */
function outputKeys(path: string): string[] {
  const text = readFileSync(path, "utf8");
  const section = text.slice(text.indexOf("\nOutputs:\n"));
  return [...section.matchAll(/^ {2}([A-Za-z0-9]+):$/gm)].map((m) => m[1] ?? "");
}

describe("the moto fixture stands for infra/cognito.yaml", () => {
  it("has the template's output keys, in the same order", () => {
    const keys = outputKeys(join(root, "infra", "cognito.yaml"));
    expect(keys).toContain("FrontDoorKeySecretArn");
    expect(keys).toContain("ClientStateKeySecretArn");
    expect(outputKeys(template)).toEqual(keys);
  });
});

describe.skipIf(!haveTools)("the CloudFormation part of npm run deploy against moto_server", () => {
  let moto: Awaited<ReturnType<typeof startMotoServer>>;
  let aws: {
    stackName: string;
    region: string;
    endpointUrl: string;
    templateFile: string;
    parameters: Record<string, string>;
  };
  const commands: string[] = [];
  const run = createProcessRunner({ log: (line: string) => commands.push(line) });
  const env = {
    AWS_ACCESS_KEY_ID: "motoTestingAccessKey",
    AWS_SECRET_ACCESS_KEY: "motoTestingSecretAccessKey",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
  // The runner passes process.env on; point the AWS CLI at fake credentials only.
  const runWithEnv: typeof run = (command, args, options = {}) =>
    run(command, args, { cwd: root, ...options, env: { ...env, ...options.env } });

  beforeAll(async () => {
    moto = await startMotoServer();
    aws = {
      stackName: "mcp-moto",
      region: "eu-west-1",
      endpointUrl: moto.origin,
      templateFile: template,
      // As buildStackParameters gives them: DeletionProtection=ACTIVE on every deploy.
      parameters: {
        DeletionProtection: "ACTIVE",
        DomainPrefix: "mcp-moto",
        StaticClientCallbackURLs: "https://client.example.com/callback,https://b.example.com/cb",
      },
    };
  });

  afterAll(async () => {
    await moto?.stop();
  });

  async function describeStack(stackName: string) {
    const { stdout } = await runWithEnv("aws", [
      "cloudformation",
      "describe-stacks",
      "--stack-name",
      stackName,
      "--region",
      aws.region,
      "--endpoint-url",
      aws.endpointUrl,
    ]);
    return JSON.parse(stdout).Stacks[0];
  }

  it("aws cloudformation deploy creates the stack with the parameters given", async () => {
    await deployStack(runWithEnv, aws);
    const stack = await describeStack(aws.stackName);
    expect(stack.StackStatus).toBe("CREATE_COMPLETE");
    expect(stack.Parameters).toEqual(
      expect.arrayContaining([
        { ParameterKey: "DomainPrefix", ParameterValue: "mcp-moto" },
        // moto keeps a CommaDelimitedList as a Python list's repr; CloudFormation keeps the text.
        expect.objectContaining({ ParameterKey: "StaticClientCallbackURLs" }),
      ]),
    );
  });

  it("a second deploy with nothing changed succeeds and changes nothing", async () => {
    const before = await describeStack(aws.stackName);
    await deployStack(runWithEnv, aws);
    const after = await describeStack(aws.stackName);
    expect(after.StackId).toBe(before.StackId);
    expect(after.StackStatus).toBe(before.StackStatus);
  });

  it("outputs and the four secrets are read as the deploy reads them", async () => {
    // moto fills Outputs for create-stack but not after a change set (aws cloudformation deploy),
    // so this reads a second stack of the same template made with create-stack.
    const created = { ...aws, stackName: "mcp-moto-outputs" };
    await runWithEnv("aws", [
      "cloudformation",
      "create-stack",
      "--stack-name",
      created.stackName,
      "--template-body",
      `file://${template}`,
      "--capabilities",
      "CAPABILITY_IAM",
      "--parameters",
      "ParameterKey=DomainPrefix,ParameterValue=mcp-moto",
      "--region",
      aws.region,
      "--endpoint-url",
      aws.endpointUrl,
    ]);
    const outputs = await readStackOutputs(runWithEnv, created);
    expect(outputs).toMatchObject({
      Region: "eu-west-1",
      UserPoolId: "eu-west-1_Moto0001",
      ReadScope: "mcp-api/read",
      WriteScope: "mcp-api/write",
      StaticClientId: "motostaticclient0000000001",
    });
    expect(outputs.DcrAccessKeyId).toMatch(/^AKIA/);
    // moto's CloudFormation accepts AWS::SecretsManager::Secret but creates nothing (and leaves
    // out the outputs that name one), so the secrets are made with the Secrets Manager API,
    // shaped as the template makes them.
    const createSecret = async (name: string, value: string) => {
      const { stdout } = await runWithEnv("aws", [
        "secretsmanager",
        "create-secret",
        "--name",
        name,
        "--secret-string",
        value,
        "--region",
        aws.region,
        "--endpoint-url",
        aws.endpointUrl,
      ]);
      return JSON.parse(stdout).ARN as string;
    };
    const withSecrets = {
      ...outputs,
      StaticClientSecretArn: await createSecret("static", "moto-static-client-secret"),
      DcrCredentialsArn: await createSecret(
        "dcr",
        JSON.stringify({
          accessKeyId: outputs.DcrAccessKeyId,
          secretAccessKey: "motoDcrSecret0123456789",
        }),
      ),
      // 64 alphanumerics, as GenerateSecretString makes them.
      FrontDoorKeySecretArn: await createSecret("front-door", "motoFrontDoorKey".repeat(4)),
      ClientStateKeySecretArn: await createSecret("client-state", "motoClientStateK".repeat(4)),
    };
    commands.length = 0; // Only what the deploy's own calls log, from here on.
    const secrets = await readStackSecrets(runWithEnv, created, withSecrets);
    expect(secrets).toEqual({
      staticClientSecret: "moto-static-client-secret",
      dcrAccessKeyId: outputs.DcrAccessKeyId,
      dcrSecretAccessKey: "motoDcrSecret0123456789",
      frontDoorKey: "motoFrontDoorKey".repeat(4),
      clientStateKeyMaterial: "motoClientStateK".repeat(4),
    });
    const raw = JSON.parse(
      await readSecretString(runWithEnv, created, withSecrets.DcrCredentialsArn),
    );
    expect(raw.accessKeyId).toBe(outputs.DcrAccessKeyId);
    // The secret never appears in what the runner logs.
    expect(commands.join("\n")).not.toContain(secrets.dcrSecretAccessKey);
    expect(commands.join("\n")).not.toContain(secrets.frontDoorKey);
    expect(commands.join("\n")).not.toContain(secrets.clientStateKeyMaterial);
  });

  it("--rotate-dcr-key's AWS half: a new key stored with its id, checked, the old one deleted; a refused key undone", async () => {
    const stack = { ...aws, stackName: "mcp-moto-rotation" };
    const where = ["--region", aws.region, "--endpoint-url", aws.endpointUrl];
    await runWithEnv("aws", [
      "cloudformation",
      "create-stack",
      "--stack-name",
      stack.stackName,
      "--template-body",
      `file://${template}`,
      "--capabilities",
      "CAPABILITY_IAM",
      "--parameters",
      "ParameterKey=DomainPrefix,ParameterValue=mcp-moto-rotation",
      ...where,
    ]);
    const outputs = await readStackOutputs(runWithEnv, stack);
    const resources = await readStackResources(runWithEnv, stack);
    // The user the template makes, and the key it made for it (what cleanup leaves to it).
    expect(resources.DcrAccessKey).toBe(outputs.DcrAccessKeyId);
    expect(await listAccessKeys(runWithEnv, stack, resources.DcrUser)).toEqual([
      { accessKeyId: outputs.DcrAccessKeyId, status: "Active" },
    ]);
    // DcrCredentials as the template fills it (moto's CloudFormation makes no secrets), and a
    // user pool for the check to list the clients of.
    const secret = await runWithEnv("aws", [
      "secretsmanager",
      "create-secret",
      "--name",
      "dcr-rotation",
      "--secret-string",
      JSON.stringify({ accessKeyId: outputs.DcrAccessKeyId, secretAccessKey: "motoOldSecret" }),
      ...where,
    ]);
    const pool = await runWithEnv("aws", [
      "cognito-idp",
      "create-user-pool",
      "--pool-name",
      "mcp-moto-rotation",
      ...where,
    ]);
    const stackOutputs = {
      ...outputs,
      DcrCredentialsArn: JSON.parse(secret.stdout).ARN as string,
      UserPoolId: JSON.parse(pool.stdout).UserPool.Id as string,
    };
    const options = { sleep: async () => {}, log: () => {} };
    commands.length = 0;

    const rotation = await startDcrKeyRotation(runWithEnv, stack, stackOutputs, options);
    expect(rotation).toEqual({
      userName: resources.DcrUser,
      newKeyId: expect.stringMatching(/^AKIA/),
      retire: outputs.DcrAccessKeyId,
    });
    const stored = await readDcrCredentials(runWithEnv, stack, stackOutputs.DcrCredentialsArn);
    expect(stored.accessKeyId).toBe(rotation.newKeyId);
    expect(stored.secretAccessKey).not.toBe("motoOldSecret");
    const both = await listAccessKeys(runWithEnv, stack, resources.DcrUser);
    expect(both?.map((k) => k.accessKeyId).sort()).toEqual(
      [outputs.DcrAccessKeyId, rotation.newKeyId].sort(),
    );
    await finishDcrKeyRotation(runWithEnv, stack, rotation, options);
    expect(await listAccessKeys(runWithEnv, stack, resources.DcrUser)).toEqual([
      { accessKeyId: rotation.newKeyId, status: "Active" },
    ]);

    // A key Cognito refuses (here: a pool that does not exist) is undone.
    await expect(
      startDcrKeyRotation(
        runWithEnv,
        stack,
        { ...stackOutputs, UserPoolId: "eu-west-1_NoSuchPool" },
        options,
      ),
    ).rejects.toThrow("ResourceNotFoundException");
    expect(await listAccessKeys(runWithEnv, stack, resources.DcrUser)).toEqual([
      { accessKeyId: rotation.newKeyId, status: "Active" },
    ]);
    expect(await readDcrCredentials(runWithEnv, stack, stackOutputs.DcrCredentialsArn)).toEqual(
      stored,
    );
    // The secret went through files and one process's environment, never a command line.
    expect(commands.join("\n")).not.toContain(stored.secretAccessKey);
    // About thirty AWS CLI processes (five tries of the refused key), seconds each on a busy machine.
  }, 600_000);

  it("the stack is deleted and waited for", async () => {
    await deleteStack(runWithEnv, aws);
    expect(await readStackStatus(runWithEnv, aws)).toBeUndefined();
    const { stdout } = await runWithEnv("aws", [
      "cloudformation",
      "list-stacks",
      "--region",
      aws.region,
      "--endpoint-url",
      aws.endpointUrl,
    ]);
    const summary = JSON.parse(stdout).StackSummaries.find(
      (s: { StackName: string }) => s.StackName === aws.stackName,
    );
    expect(summary?.StackStatus ?? "DELETE_COMPLETE").toBe("DELETE_COMPLETE");
  });

  it("cleanup's stack step: protection turned off, the other parameters kept, then deleted", async () => {
    // Its own stack without a list parameter: moto (5.2) fails (500) on UsePreviousValue for a
    // CommaDelimitedList it was given, which CloudFormation takes.
    const cleanupStack = {
      ...aws,
      stackName: "mcp-moto-cleanup",
      parameters: { DeletionProtection: "ACTIVE", DomainPrefix: "mcp-moto-cleanup" },
    };
    const parameter = (
      stack: { Parameters: { ParameterKey: string; ParameterValue: string }[] },
      key: string,
    ) => stack.Parameters.find((p) => p.ParameterKey === key)?.ParameterValue;
    expect(await readStackStatus(runWithEnv, cleanupStack)).toBeUndefined();
    await deployStack(runWithEnv, cleanupStack);
    expect(await readStackStatus(runWithEnv, cleanupStack)).toBe("CREATE_COMPLETE");

    await disableDeletionProtection(runWithEnv, cleanupStack);
    const updated = await describeStack(cleanupStack.stackName);
    expect(parameter(updated, "DeletionProtection")).toBe("INACTIVE");
    // Not given again, kept: the CLI sends UsePreviousValue for each parameter left out.
    expect(parameter(updated, "DomainPrefix")).toBe("mcp-moto-cleanup");

    await deleteStack(runWithEnv, cleanupStack);
    expect(await readStackStatus(runWithEnv, cleanupStack)).toBeUndefined();
  });
});
