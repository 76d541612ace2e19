import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isMap, isPair, isScalar, isSeq, type Node, parseDocument } from "yaml";
import { loadPoolTemplate } from "../../workers/cognito-local/src/config/load-template.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const text = readFileSync(join(root, "infra", "cognito.yaml"), "utf8");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** infra/cognito.yaml as JSON, each short-form intrinsic (`!Ref x`) in its long form. */
function parseTemplate(source: string): { [key: string]: Json } {
  const toJson = (node: unknown): Json => {
    let value: Json;
    if (isScalar(node)) value = node.value as Json;
    else if (isSeq(node)) value = node.items.map(toJson);
    else if (isMap(node))
      value = Object.fromEntries(
        node.items.filter(isPair).map((pair) => [String(toJson(pair.key)), toJson(pair.value)]),
      );
    else throw new TypeError(`unexpected YAML node ${String(node)}`);
    const tag = (node as Node).tag;
    if (!tag?.startsWith("!")) return value;
    if (tag === "!Ref") return { Ref: value };
    if (tag === "!GetAtt" && typeof value === "string") {
      const dot = value.indexOf(".");
      return { "Fn::GetAtt": [value.slice(0, dot), value.slice(dot + 1)] };
    }
    return { [`Fn::${tag.slice(1)}`]: value };
  };
  const doc = parseDocument(source);
  expect(doc.errors).toEqual([]);
  return toJson(doc.contents) as { [key: string]: Json };
}

const template = parseTemplate(text) as {
  Parameters: Record<string, Record<string, Json>>;
  Conditions: Record<string, Json>;
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, Json> }>;
  Outputs: Record<string, { Value: Json }>;
};
const { Parameters, Conditions, Resources, Outputs } = template;

/** Resources that mention a logical id anywhere in their definition. */
const resourcesReferring = (logicalId: string) =>
  Object.entries(Resources)
    .filter(([, resource]) =>
      new RegExp(`"(Ref|Fn::GetAtt)":(\\["|")${logicalId}"`).test(JSON.stringify(resource)),
    )
    .map(([id]) => id);

describe("infra/cognito.yaml: workers/client's CLIENT_STATE_KEY has its own generated secret", () => {
  it("ClientStateKeySecret is 64 alphanumerics made by CloudFormation, given as an output", () => {
    expect(Resources.ClientStateKeySecret).toMatchObject({
      Type: "AWS::SecretsManager::Secret",
      Properties: {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
      },
    });
    expect(Resources.ClientStateKeySecret?.Properties).not.toHaveProperty("SecretString");
    // Nothing of the static client goes into it.
    expect(JSON.stringify(Resources.ClientStateKeySecret)).not.toContain("StaticClient");
    expect(Outputs.ClientStateKeySecretArn?.Value).toEqual({ Ref: "ClientStateKeySecret" });
  });

  it("dcr's IAM user can read no secret: its policy grants cognito-idp actions only", () => {
    const actions = JSON.stringify(Resources.DcrUser?.Properties.Policies).match(
      /"[a-z-]+:[A-Za-z*]+"/g,
    );
    expect(actions?.length).toBeGreaterThan(0);
    for (const action of actions ?? []) expect(action).toMatch(/^"cognito-idp:/);
  });
});

describe("infra/cognito.yaml: an alert when dcr's IAM user touches the static client", () => {
  it("the rule matches CloudTrail's Update/Delete/DescribeUserPoolClient by DcrUser on StaticClient", () => {
    expect(Resources.StaticClientAccessRule).toEqual({
      Type: "AWS::Events::Rule",
      Properties: {
        Description: expect.any(String),
        // DescribeUserPoolClient is read-only: only this state lets a rule receive it.
        State: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
        EventPattern: {
          source: ["aws.cognito-idp"],
          "detail-type": ["AWS API Call via CloudTrail"],
          detail: {
            eventSource: ["cognito-idp.amazonaws.com"],
            eventName: ["UpdateUserPoolClient", "DeleteUserPoolClient", "DescribeUserPoolClient"],
            requestParameters: { clientId: [{ Ref: "StaticClient" }] },
            userIdentity: { arn: [{ "Fn::GetAtt": ["DcrUser", "Arn"] }] },
          },
        },
        Targets: [{ Id: "static-client-alert", Arn: { Ref: "StaticClientAlertTopic" } }],
      },
    });
  });

  it("targets an SNS topic that only this rule may publish to, given as an output", () => {
    expect(Resources.StaticClientAlertTopic?.Type).toBe("AWS::SNS::Topic");
    expect(Resources.StaticClientAlertTopicPolicy).toMatchObject({
      Type: "AWS::SNS::TopicPolicy",
      Properties: {
        Topics: [{ Ref: "StaticClientAlertTopic" }],
        PolicyDocument: {
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sns:Publish",
              Resource: { Ref: "StaticClientAlertTopic" },
              Condition: {
                ArnEquals: { "aws:SourceArn": { "Fn::GetAtt": ["StaticClientAccessRule", "Arn"] } },
              },
            },
          ],
        },
      },
    });
    expect(Outputs.StaticClientAlertTopicArn?.Value).toEqual({ Ref: "StaticClientAlertTopic" });
  });

  it("subscribes AlertEmail only when it is given", () => {
    expect(Parameters.AlertEmail).toMatchObject({ Type: "String", Default: "" });
    expect(Conditions.HasAlertEmail).toEqual({
      "Fn::Not": [{ "Fn::Equals": [{ Ref: "AlertEmail" }, ""] }],
    });
    expect(Resources.StaticClientAlertSubscription).toEqual({
      Type: "AWS::SNS::Subscription",
      Condition: "HasAlertEmail",
      Properties: {
        TopicArn: { Ref: "StaticClientAlertTopic" },
        Protocol: "email",
        Endpoint: { Ref: "AlertEmail" },
      },
    });
    expect(resourcesReferring("AlertEmail")).toEqual(["StaticClientAlertSubscription"]);
  });
});

describe("infra/cognito.yaml: the user pool is protected from deletion by default", () => {
  it("DeletionProtection is a parameter, ACTIVE unless set to INACTIVE, used by the pool", () => {
    expect(Parameters.DeletionProtection).toMatchObject({
      Type: "String",
      Default: "ACTIVE",
      AllowedValues: ["ACTIVE", "INACTIVE"],
    });
    expect(Resources.UserPool?.Properties.DeletionProtection).toEqual({
      Ref: "DeletionProtection",
    });
  });

  it("the cognito-local stand-in still reads the template, whatever the new parameters", () => {
    const context = {
      region: "us-east-1",
      userPoolId: "us-east-1_LocalDev01",
      issuer: "http://localhost:9229/us-east-1_LocalDev01",
      staticClientId: "localstaticclient000000001",
      staticClientSecret: "local-secret",
    };
    const defaults = loadPoolTemplate(text, context);
    expect(
      loadPoolTemplate(text, {
        ...context,
        parameters: { DeletionProtection: "INACTIVE", AlertEmail: "ops@example.com" },
      }),
    ).toEqual(defaults);
    expect(() =>
      loadPoolTemplate(text, { ...context, parameters: { DeletionProtection: "OFF" } }),
    ).toThrow('Parameters.DeletionProtection: "OFF" is not one of ACTIVE, INACTIVE');
    expect(() =>
      loadPoolTemplate(text, { ...context, parameters: { AlertEmail: "not an address" } }),
    ).toThrow('Parameters.AlertEmail: "not an address" does not match AllowedPattern');
  });
});
