import { type LocalResourceType, TemplateEvaluator } from "./cloudformation/evaluator";
import { parseTemplate, TemplateFault } from "./cloudformation/tree";
import { USER_POOL_CLIENT } from "./extract-client";
import { extractPoolTemplate, USER_POOL, USER_POOL_DOMAIN } from "./extract-pool";
import type { PoolTemplate } from "./pool-template";

export { LOCAL_STACK_UUID } from "./cloudformation/sections";

/** Local values the template's intrinsics resolve to. */
export interface TemplateContext {
  region: string;
  userPoolId: string;
  /** What `!GetAtt <pool>.ProviderURL` gives: the stand-in's issuer. */
  issuer: string;
  staticClientId: string;
  staticClientSecret: string;
  /** `AWS::AccountId`; default `"000000000000"`. */
  accountId?: string;
  /** `AWS::StackName`; default `"mcp-cognito-workers-local"`. */
  stackName?: string;
  /** Values of template Parameters, overriding their `Default`. */
  parameters?: Record<string, string>;
  /** Name of the template in error messages; default `"infra/cognito.yaml"`. */
  sourceName?: string;
}

const DEFAULT_ACCOUNT_ID = "000000000000";
const DEFAULT_STACK_NAME = "mcp-cognito-workers-local";
const DEFAULT_SOURCE_NAME = "infra/cognito.yaml";

/**
 * Reads a CloudFormation template (YAML or JSON) that defines one Cognito user pool and resolves
 * what the local stand-in needs from it, with local values for the intrinsics it uses.
 * Throws `TypeError` naming the place in the template when it cannot.
 */
export function loadPoolTemplate(yamlText: string, context: TemplateContext): PoolTemplate {
  const source = context.sourceName ?? DEFAULT_SOURCE_NAME;
  const accountId = context.accountId ?? DEFAULT_ACCOUNT_ID;
  try {
    const evaluator = new TemplateEvaluator(parseTemplate(yamlText), {
      region: context.region,
      accountId,
      stackName: context.stackName ?? DEFAULT_STACK_NAME,
      parameters: context.parameters ?? {},
      resourceTypes: buildLocalResourceTypes({ ...context, accountId }),
    });
    return extractPoolTemplate(evaluator, context.userPoolId);
  } catch (error) {
    if (!(error instanceof TemplateFault)) throw error;
    const { path, position, message } = error;
    const where = position ? `:${position.line}:${position.col}` : `: ${path || "(root)"}`;
    throw new TypeError(`${source}${where}: ${message}`);
  }
}

/** What `!Ref` and `!GetAtt` of the pool, its domain and its client give locally. */
function buildLocalResourceTypes(
  context: TemplateContext & { accountId: string },
): Record<string, LocalResourceType> {
  const { region, accountId, userPoolId, issuer } = context;
  return {
    [USER_POOL]: {
      ref: { value: userPoolId },
      attributes: {
        Arn: `arn:aws:cognito-idp:${region}:${accountId}:userpool/${userPoolId}`,
        ProviderURL: issuer,
        ProviderName: issuer.replace(/^[a-z]+:\/\//, ""),
        UserPoolId: userPoolId,
      },
    },
    [USER_POOL_CLIENT]: {
      ref: { value: context.staticClientId },
      attributes: { ClientId: context.staticClientId, ClientSecret: context.staticClientSecret },
    },
    [USER_POOL_DOMAIN]: { ref: { property: "Domain" } },
  };
}
