import type { TemplateEvaluator } from "./cloudformation/evaluator";
import type { Resource } from "./cloudformation/sections";
import { fail, type Json, joinPath } from "./cloudformation/tree";
import { extractStaticClient, USER_POOL_CLIENT } from "./extract-client";
import type { FeaturePlan, PasswordPolicy, PoolTemplate, ResourceServer } from "./pool-template";
import {
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalList,
  optionalRecord,
  optionalString,
  requireString,
} from "./template-fields";

/** The CloudFormation type of a user pool. */
export const USER_POOL = "AWS::Cognito::UserPool";
/** The CloudFormation type of a user pool's managed-login domain. */
export const USER_POOL_DOMAIN = "AWS::Cognito::UserPoolDomain";
const RESOURCE_SERVER = "AWS::Cognito::UserPoolResourceServer";

const FEATURE_PLANS: readonly FeaturePlan[] = ["LITE", "ESSENTIALS", "PLUS"];

/** Cognito's password policy when the template gives none. */
const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 7,
};

/** `Domain` of a UserPoolDomain without a custom domain: Cognito's prefix rules. */
const DOMAIN_PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_DOMAIN_WORDS = ["aws", "amazon", "cognito"];

/**
 * What the stand-in needs from the template's one user pool, its domain, its resource servers and
 * its one app client, each checked as Cognito would check it.
 */
export function extractPoolTemplate(
  evaluator: TemplateEvaluator,
  userPoolId: string,
): PoolTemplate {
  const pool = findSingle(evaluator, USER_POOL);
  const client = findSingle(evaluator, USER_POOL_CLIENT);
  const domain = findSingle(evaluator, USER_POOL_DOMAIN);
  const checkPoolRef = (resource: Resource) => {
    const path = `${resource.path}.Properties.UserPoolId`;
    if (evaluator.resolveProperty(resource, "UserPoolId") !== userPoolId) {
      fail(path, `must be !Ref ${pool.logicalId}`);
    }
  };
  const props = evaluator.resolveProperties(pool, [
    "UserPoolName",
    "UserPoolTier",
    "UsernameConfiguration",
    "AdminCreateUserConfig",
    "Policies",
  ]);
  const at = (key: string) => `${pool.path}.Properties.${key}`;
  const username = optionalRecord(props.UsernameConfiguration, at("UsernameConfiguration"));
  const adminCreateUser = optionalRecord(props.AdminCreateUserConfig, at("AdminCreateUserConfig"));
  const policies = optionalRecord(props.Policies, at("Policies"));
  const adminOnlyPath = at("AdminCreateUserConfig.AllowAdminCreateUserOnly");
  return {
    userPoolName: optionalString(props.UserPoolName, at("UserPoolName")) ?? pool.logicalId,
    featurePlan:
      optionalEnum(props.UserPoolTier, FEATURE_PLANS, at("UserPoolTier")) ?? "ESSENTIALS",
    usernameCaseSensitive:
      optionalBoolean(username?.CaseSensitive, at("UsernameConfiguration.CaseSensitive")) ?? true,
    allowSelfSignUp: !(
      optionalBoolean(adminCreateUser?.AllowAdminCreateUserOnly, adminOnlyPath) ?? false
    ),
    passwordPolicy: buildPasswordPolicy(policies?.PasswordPolicy, at("Policies.PasswordPolicy")),
    domainPrefix: extractDomainPrefix(evaluator, domain, checkPoolRef),
    resourceServers: extractResourceServers(evaluator, checkPoolRef),
    staticClient: extractStaticClient(evaluator, client, checkPoolRef),
  };
}

/** The one resource of a type; the stand-in has one pool, one domain and one static client. */
function findSingle(evaluator: TemplateEvaluator, type: string): Resource {
  const [first, second] = evaluator.resources.filter((resource) => resource.type === type);
  if (first === undefined) return fail("Resources", `no ${type}`);
  if (second !== undefined) {
    fail(second.path, `a second ${type} (after ${first.logicalId}); the stand-in supports one`);
  }
  return first;
}

function extractDomainPrefix(
  evaluator: TemplateEvaluator,
  domain: Resource,
  checkPoolRef: (resource: Resource) => void,
): string {
  checkPoolRef(domain);
  const path = `${domain.path}.Properties`;
  if (domain.properties.CustomDomainConfig !== undefined) {
    fail(joinPath(path, "CustomDomainConfig"), "custom domains are not supported locally");
  }
  const prefix = requireString(
    evaluator.resolveProperty(domain, "Domain"),
    joinPath(path, "Domain"),
  );
  if (
    !DOMAIN_PREFIX_PATTERN.test(prefix) ||
    RESERVED_DOMAIN_WORDS.some((word) => prefix.includes(word))
  ) {
    fail(joinPath(path, "Domain"), `"${prefix}" is not a valid Cognito domain prefix`);
  }
  return prefix;
}

function buildPasswordPolicy(value: Json | undefined, path: string): PasswordPolicy {
  const policy = optionalRecord(value, path);
  if (policy === undefined) return { ...DEFAULT_PASSWORD_POLICY };
  // As in CreateUserPool: within a given policy, a requirement left out is off.
  const flag = (key: string) => optionalBoolean(policy[key], joinPath(path, key)) ?? false;
  const minimumLength = optionalInteger(policy.MinimumLength, joinPath(path, "MinimumLength")) ?? 8;
  if (minimumLength < 6 || minimumLength > 99) {
    fail(joinPath(path, "MinimumLength"), "must be from 6 to 99");
  }
  const validityPath = joinPath(path, "TemporaryPasswordValidityDays");
  const temporaryPasswordValidityDays =
    optionalInteger(policy.TemporaryPasswordValidityDays, validityPath) ?? 7;
  if (temporaryPasswordValidityDays < 0 || temporaryPasswordValidityDays > 365) {
    fail(validityPath, "must be from 0 to 365");
  }
  return {
    minimumLength,
    requireLowercase: flag("RequireLowercase"),
    requireUppercase: flag("RequireUppercase"),
    requireNumbers: flag("RequireNumbers"),
    requireSymbols: flag("RequireSymbols"),
    temporaryPasswordValidityDays,
  };
}

function extractResourceServers(
  evaluator: TemplateEvaluator,
  checkPoolRef: (resource: Resource) => void,
): ResourceServer[] {
  const servers: ResourceServer[] = [];
  for (const resource of evaluator.resources) {
    if (resource.type !== RESOURCE_SERVER) continue;
    checkPoolRef(resource);
    const server = extractResourceServer(evaluator, resource);
    if (servers.some((other) => other.identifier === server.identifier)) {
      fail(resource.path, `a second resource server with Identifier "${server.identifier}"`);
    }
    servers.push(server);
  }
  return servers;
}

function extractResourceServer(evaluator: TemplateEvaluator, resource: Resource): ResourceServer {
  const path = `${resource.path}.Properties`;
  const props = evaluator.resolveProperties(resource, ["Identifier", "Name", "Scopes"]);
  const scopesPath = joinPath(path, "Scopes");
  return {
    identifier: requireString(props.Identifier, joinPath(path, "Identifier")),
    name: requireString(props.Name, joinPath(path, "Name")),
    scopes: (optionalList(props.Scopes, scopesPath) ?? []).map((scope, i) => {
      const scopePath = joinPath(scopesPath, i);
      const record = optionalRecord(scope, scopePath) ?? fail(scopePath, "must be a mapping");
      return {
        name: requireString(record.ScopeName, joinPath(scopePath, "ScopeName")),
        description: requireString(
          record.ScopeDescription,
          joinPath(scopePath, "ScopeDescription"),
        ),
      };
    }),
  };
}
