import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { OAuthFlow, TimeUnit } from "../store/records";
import type {
  FeaturePlan,
  PasswordPolicy,
  PoolTemplate,
  ResourceServer,
  StaticClientProperties,
} from "./pool-template";

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

/** The UUID at the end of the local `AWS::StackId`, fixed so that names made from it are stable. */
export const LOCAL_STACK_UUID = "00000000-0000-4000-8000-000000000000";

const DEFAULT_ACCOUNT_ID = "000000000000";
const DEFAULT_STACK_NAME = "mcp-cognito-workers-local";
const DEFAULT_SOURCE_NAME = "infra/cognito.yaml";

const USER_POOL = "AWS::Cognito::UserPool";
const USER_POOL_CLIENT = "AWS::Cognito::UserPoolClient";
const USER_POOL_DOMAIN = "AWS::Cognito::UserPoolDomain";
const RESOURCE_SERVER = "AWS::Cognito::UserPoolResourceServer";

const FEATURE_PLANS: readonly FeaturePlan[] = ["LITE", "ESSENTIALS", "PLUS"];
const OAUTH_FLOWS: readonly OAuthFlow[] = ["code", "implicit", "client_credentials"];
const TIME_UNITS: readonly TimeUnit[] = ["seconds", "minutes", "hours", "days"];

/** Cognito's password policy when the template gives none. */
const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 7,
};

/** Intrinsic functions resolved here; their short forms are `!` and the part after `Fn::`. */
const SUPPORTED_FUNCTIONS = new Set([
  "Ref",
  "Condition",
  "Fn::Sub",
  "Fn::GetAtt",
  "Fn::If",
  "Fn::Equals",
  "Fn::Not",
  "Fn::And",
  "Fn::Or",
  "Fn::Select",
  "Fn::Split",
  "Fn::Join",
  "Fn::FindInMap",
  "Fn::Base64",
]);

/** Intrinsic functions CloudFormation has that have no meaningful local value. */
const UNSUPPORTED_FUNCTIONS = new Set([
  "Fn::GetAZs",
  "Fn::ImportValue",
  "Fn::Cidr",
  "Fn::Transform",
  "Fn::Length",
  "Fn::ToJsonString",
  "Fn::ForEach",
]);

/** Properties of `AWS::Cognito::UserPoolClient`; all but `UserPoolId` are CreateUserPoolClient's. */
const CLIENT_PROPERTIES = new Set([
  "AccessTokenValidity",
  "AllowedOAuthFlows",
  "AllowedOAuthFlowsUserPoolClient",
  "AllowedOAuthScopes",
  "AnalyticsConfiguration",
  "AuthSessionValidity",
  "CallbackURLs",
  "ClientName",
  "DefaultRedirectURI",
  "EnablePropagateAdditionalUserContextData",
  "EnableTokenRevocation",
  "ExplicitAuthFlows",
  "GenerateSecret",
  "IdTokenValidity",
  "LogoutURLs",
  "PreventUserExistenceErrors",
  "ReadAttributes",
  "RefreshTokenRotation",
  "RefreshTokenValidity",
  "SupportedIdentityProviders",
  "TokenValidityUnits",
  "UserPoolId",
  "WriteAttributes",
]);

const CONDITION_FUNCTIONS = new Set(["Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition"]);

/** `Domain` of a UserPoolDomain without a custom domain: Cognito's prefix rules. */
const DOMAIN_PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_DOMAIN_WORDS = ["aws", "amazon", "cognito"];

/** Drops the property or list item it stands in (`AWS::NoValue`). */
const NO_VALUE: unique symbol = Symbol("AWS::NoValue");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resolved = Json | typeof NO_VALUE;

/** A parsed template value: plain YAML/JSON data with intrinsic function calls marked. */
type Tree = null | boolean | number | string | Tree[] | { [key: string]: Tree } | Intrinsic;

class Intrinsic {
  constructor(
    /** Long name: `Ref`, `Condition` or `Fn::X`. */
    readonly fn: string,
    readonly arg: Tree,
    /** How the template wrote it (`!Sub` or `Fn::Sub`), for messages. */
    readonly label: string,
  ) {}
}

interface Resource {
  logicalId: string;
  type: string;
  properties: { [key: string]: Tree };
  path: string;
}

/**
 * Reads a CloudFormation template (YAML or JSON) that defines one Cognito user pool and resolves
 * what the local stand-in needs from it, with local values for every intrinsic.
 * Throws `TypeError` naming the place in the template when it cannot.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
export function loadPoolTemplate(yamlText: string, context: TemplateContext): PoolTemplate {
  const source = context.sourceName ?? DEFAULT_SOURCE_NAME;
  const root = parseTemplate(yamlText, source);
  return new TemplateResolver(root, context, source).buildPoolTemplate();
}

function parseTemplate(text: string, source: string): { [key: string]: Tree } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [error] = doc.errors;
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new TypeError(`${source}:${line}:${col}: ${error.message.split("\n")[0]}`);
  }
  const fail = (path: string, message: string): never => {
    throw new TypeError(`${source}: ${path || "(root)"}: ${message}`);
  };
  const toTree = (node: unknown, path: string): Tree => {
    if (node == null) return null;
    if (isAlias(node)) return toTree(node.resolve(doc), path);
    const tag = (node as Node).tag;
    let value: Tree;
    if (isScalar(node)) {
      value = node.value as Tree;
      if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
        fail(path, `unsupported YAML value ${String(node.source)}`);
      }
    } else if (isSeq(node)) {
      value = node.items.map((item, i) => toTree(item, joinPath(path, i)));
    } else if (isMap(node)) {
      const map: { [key: string]: Tree } = {};
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key !== "string" && typeof key !== "number") {
          return fail(path, "mapping keys must be plain strings");
        }
        map[String(key)] = toTree(pair.value, joinPath(path, String(key)));
      }
      value = map;
      const keys = Object.keys(map);
      const [only] = keys;
      if (tag === undefined && keys.length === 1 && only !== undefined && isFunctionName(only)) {
        return new Intrinsic(only, map[only] ?? null, only);
      }
    } else {
      return fail(path, "unsupported YAML node");
    }
    if (tag === undefined || tag.startsWith("tag:yaml.org,2002:")) return value;
    const fn = tag === "!Ref" || tag === "!Condition" ? tag.slice(1) : `Fn::${tag.slice(1)}`;
    if (!tag.startsWith("!") || !(SUPPORTED_FUNCTIONS.has(fn) || UNSUPPORTED_FUNCTIONS.has(fn))) {
      return fail(path, `unknown tag "${tag}"`);
    }
    return new Intrinsic(fn, value, tag);
  };
  const root = toTree(doc.contents, "");
  if (!isRecord(root)) return fail("", "a template must be a mapping");
  return root;
}

function isFunctionName(key: string): boolean {
  return key === "Ref" || key === "Condition" || key.startsWith("Fn::");
}

function isRecord(value: unknown): value is { [key: string]: Tree } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Intrinsic)
  );
}

function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Resolves intrinsics in one template against local values. */
class TemplateResolver {
  private readonly parameters = new Map<string, string | string[]>();
  private readonly conditions: { [key: string]: Tree };
  private readonly conditionValues = new Map<string, boolean>();
  private readonly mappings: { [key: string]: Tree };
  private readonly resources = new Map<string, Resource>();
  /** Resources whose `Condition` is false, with that condition. */
  private readonly skipped = new Map<string, string>();
  private readonly pseudo: Map<string, string | string[]>;
  /** Places being resolved, to catch a reference back to one of them. */
  private readonly inProgress = new Set<string>();
  private pool: Resource | undefined;
  private client: Resource | undefined;
  private domain: Resource | undefined;

  constructor(
    root: { [key: string]: Tree },
    private readonly context: TemplateContext,
    private readonly source: string,
  ) {
    const region = context.region;
    const accountId = context.accountId ?? DEFAULT_ACCOUNT_ID;
    const stackName = context.stackName ?? DEFAULT_STACK_NAME;
    this.pseudo = new Map<string, string | string[]>([
      ["AWS::Region", region],
      ["AWS::AccountId", accountId],
      ["AWS::StackName", stackName],
      [
        "AWS::StackId",
        `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/${LOCAL_STACK_UUID}`,
      ],
      ["AWS::Partition", "aws"],
      ["AWS::URLSuffix", "amazonaws.com"],
      ["AWS::NotificationARNs", []],
    ]);
    if (root.Transform !== undefined) {
      this.fail("Transform", "transforms are not supported locally");
    }
    this.readParameters(this.section(root, "Parameters"));
    this.conditions = this.section(root, "Conditions");
    this.mappings = this.section(root, "Mappings");
    this.readResources(this.section(root, "Resources"));
  }

  buildPoolTemplate(): PoolTemplate {
    const pool = this.pool;
    const client = this.client;
    const domain = this.domain;
    if (pool === undefined) return this.fail("Resources", `no ${USER_POOL}`);
    if (client === undefined) return this.fail("Resources", `no ${USER_POOL_CLIENT}`);
    if (domain === undefined) return this.fail("Resources", `no ${USER_POOL_DOMAIN}`);
    const props = this.resolveProperties(pool, [
      "UserPoolName",
      "UserPoolTier",
      "UsernameConfiguration",
      "AdminCreateUserConfig",
      "Policies",
    ]);
    const at = (key: string) => `${pool.path}.Properties.${key}`;
    const usernameConfiguration = this.optionalRecord(
      props.UsernameConfiguration,
      at("UsernameConfiguration"),
    );
    const adminCreateUserConfig = this.optionalRecord(
      props.AdminCreateUserConfig,
      at("AdminCreateUserConfig"),
    );
    const policies = this.optionalRecord(props.Policies, at("Policies"));
    return {
      userPoolName: this.optionalString(props.UserPoolName, at("UserPoolName")) ?? pool.logicalId,
      featurePlan:
        this.optionalEnum(props.UserPoolTier, FEATURE_PLANS, at("UserPoolTier")) ?? "ESSENTIALS",
      usernameCaseSensitive:
        this.optionalBoolean(
          usernameConfiguration?.CaseSensitive,
          at("UsernameConfiguration.CaseSensitive"),
        ) ?? true,
      allowSelfSignUp: !(
        this.optionalBoolean(
          adminCreateUserConfig?.AllowAdminCreateUserOnly,
          at("AdminCreateUserConfig.AllowAdminCreateUserOnly"),
        ) ?? false
      ),
      passwordPolicy: this.buildPasswordPolicy(
        policies?.PasswordPolicy,
        at("Policies.PasswordPolicy"),
      ),
      domainPrefix: this.resolveDomainPrefix(domain),
      resourceServers: this.buildResourceServers(),
      staticClient: this.buildStaticClient(client),
    };
  }

  private section(root: { [key: string]: Tree }, name: string): { [key: string]: Tree } {
    const value = root[name];
    if (value === undefined || value === null) return {};
    if (!isRecord(value)) return this.fail(name, "must be a mapping");
    return value;
  }

  private readParameters(declared: { [key: string]: Tree }): void {
    const given = this.context.parameters ?? {};
    for (const name of Object.keys(given)) {
      if (!(name in declared)) {
        this.fail("Parameters", `unknown parameter "${name}" in context.parameters`);
      }
    }
    for (const [name, declaration] of Object.entries(declared)) {
      const path = joinPath("Parameters", name);
      if (!isRecord(declaration)) this.fail(path, "must be a mapping");
      const type = this.requireString(declaration.Type, joinPath(path, "Type"));
      const raw = given[name] ?? declaration.Default;
      if (raw === undefined || raw === null) {
        this.fail(path, "has no Default and no value in context.parameters");
      }
      if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
        this.fail(joinPath(path, "Default"), "must be a string");
      }
      const value = String(raw);
      if (type.startsWith("AWS::SSM::Parameter::") && given[name] === undefined) {
        this.fail(path, `${type} has no local value; give one in context.parameters`);
      }
      const isList = type === "CommaDelimitedList" || type.includes("List<");
      this.checkParameter(path, declaration, type, value);
      this.parameters.set(name, isList ? value.split(",").map((item) => item.trim()) : value);
    }
  }

  /** The checks CloudFormation makes of a parameter value. */
  private checkParameter(
    path: string,
    declaration: { [key: string]: Tree },
    type: string,
    value: string,
  ): void {
    const { AllowedValues, AllowedPattern, MinLength, MaxLength, MinValue, MaxValue } = declaration;
    if (
      Array.isArray(AllowedValues) &&
      !AllowedValues.some((allowed) => String(allowed) === value)
    ) {
      this.fail(path, `"${value}" is not one of ${AllowedValues.map(String).join(", ")}`);
    }
    if (typeof AllowedPattern === "string" && !new RegExp(`^(?:${AllowedPattern})$`).test(value)) {
      this.fail(path, `"${value}" does not match AllowedPattern ${AllowedPattern}`);
    }
    if (typeof MinLength === "number" && value.length < MinLength) {
      this.fail(path, `"${value}" is shorter than MinLength ${MinLength}`);
    }
    if (typeof MaxLength === "number" && value.length > MaxLength) {
      this.fail(path, `"${value}" is longer than MaxLength ${MaxLength}`);
    }
    if (type === "Number") {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n)) this.fail(path, `"${value}" is not a number`);
      if (typeof MinValue === "number" && n < MinValue) {
        this.fail(path, `${value} is less than MinValue ${MinValue}`);
      }
      if (typeof MaxValue === "number" && n > MaxValue) {
        this.fail(path, `${value} is more than MaxValue ${MaxValue}`);
      }
    }
  }

  private readResources(declared: { [key: string]: Tree }): void {
    for (const [logicalId, declaration] of Object.entries(declared)) {
      const path = joinPath("Resources", logicalId);
      if (!isRecord(declaration)) this.fail(path, "must be a mapping");
      const type = this.requireString(declaration.Type, joinPath(path, "Type"));
      const properties = declaration.Properties ?? {};
      if (!isRecord(properties)) this.fail(joinPath(path, "Properties"), "must be a mapping");
      const resource = { logicalId, type, properties, path };
      this.resources.set(logicalId, resource);
      if (declaration.Condition !== undefined) {
        const conditionPath = joinPath(path, "Condition");
        const condition = this.requireString(declaration.Condition, conditionPath);
        if (!this.evaluateCondition(condition, conditionPath, "Condition")) {
          this.skipped.set(logicalId, condition);
          continue;
        }
      }
      if (type === USER_POOL) this.pool = this.single(this.pool, resource);
      if (type === USER_POOL_CLIENT) this.client = this.single(this.client, resource);
      if (type === USER_POOL_DOMAIN) this.domain = this.single(this.domain, resource);
    }
  }

  private single(found: Resource | undefined, resource: Resource): Resource {
    if (found !== undefined) {
      this.fail(
        resource.path,
        `a second ${resource.type} (after ${found.logicalId}); the stand-in supports one`,
      );
    }
    return resource;
  }

  private evaluateCondition(name: string, path: string, label: string): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    if (!Object.hasOwn(this.conditions, name)) {
      return this.fail(path, `unknown condition "${name}" in ${label}`);
    }
    const conditionPath = joinPath("Conditions", name);
    if (this.inProgress.has(conditionPath)) {
      return this.fail(path, `condition "${name}" depends on itself`);
    }
    this.inProgress.add(conditionPath);
    const value = this.resolveCondition(this.conditions[name] ?? null, conditionPath);
    this.inProgress.delete(conditionPath);
    this.conditionValues.set(name, value);
    return value;
  }

  /** A condition: `!Equals`, `!Not`, `!And`, `!Or` or `!Condition`, giving a boolean. */
  private resolveCondition(value: Tree, path: string): boolean {
    if (isRecord(value) && Object.keys(value).length === 1 && value.Condition !== undefined) {
      value = new Intrinsic("Condition", value.Condition, "Condition");
    }
    if (!(value instanceof Intrinsic) || !CONDITION_FUNCTIONS.has(value.fn)) {
      return this.fail(path, "a condition must be !Equals, !Not, !And, !Or or !Condition");
    }
    const { fn, arg, label } = value;
    if (fn === "Condition") {
      if (typeof arg !== "string") return this.fail(path, `${label} needs a condition name`);
      return this.evaluateCondition(arg, path, label);
    }
    if (fn === "Fn::Equals") {
      const [a, b] = this.args(arg, 2, path, label);
      return (
        canonicalJson(this.resolveValue(a, path, label)) ===
        canonicalJson(this.resolveValue(b, path, label))
      );
    }
    if (fn === "Fn::Not") {
      const [operand] = this.args(arg, 1, path, label);
      return !this.resolveCondition(operand, path);
    }
    if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) {
      return this.fail(path, `${label} needs 2 to 10 conditions`);
    }
    const operands = arg.map((operand) => this.resolveCondition(operand, path));
    return fn === "Fn::And" ? operands.every(Boolean) : operands.some(Boolean);
  }

  private resolveDomainPrefix(domain: Resource): string {
    const path = `${domain.path}.Properties`;
    this.checkPoolRef(domain);
    if (domain.properties.CustomDomainConfig !== undefined) {
      this.fail(joinPath(path, "CustomDomainConfig"), "custom domains are not supported locally");
    }
    const prefix = this.requireString(
      this.resolve(domain.properties.Domain ?? null, joinPath(path, "Domain")),
      joinPath(path, "Domain"),
    );
    if (
      !DOMAIN_PREFIX_PATTERN.test(prefix) ||
      RESERVED_DOMAIN_WORDS.some((word) => prefix.includes(word))
    ) {
      this.fail(joinPath(path, "Domain"), `"${prefix}" is not a valid Cognito domain prefix`);
    }
    return prefix;
  }

  private buildPasswordPolicy(value: Json | undefined, path: string): PasswordPolicy {
    const policy = this.optionalRecord(value, path);
    if (policy === undefined) return { ...DEFAULT_PASSWORD_POLICY };
    // As in CreateUserPool: within a given policy, a requirement left out is off.
    const flag = (key: string) => this.optionalBoolean(policy[key], joinPath(path, key)) ?? false;
    const minimumLength =
      this.optionalInteger(policy.MinimumLength, joinPath(path, "MinimumLength")) ?? 8;
    if (minimumLength < 6 || minimumLength > 99) {
      this.fail(joinPath(path, "MinimumLength"), "must be from 6 to 99");
    }
    const temporaryPasswordValidityDays =
      this.optionalInteger(
        policy.TemporaryPasswordValidityDays,
        joinPath(path, "TemporaryPasswordValidityDays"),
      ) ?? 7;
    if (temporaryPasswordValidityDays < 0 || temporaryPasswordValidityDays > 365) {
      this.fail(joinPath(path, "TemporaryPasswordValidityDays"), "must be from 0 to 365");
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

  private buildResourceServers(): ResourceServer[] {
    const servers: ResourceServer[] = [];
    for (const resource of this.resources.values()) {
      if (resource.type !== RESOURCE_SERVER || this.skipped.has(resource.logicalId)) continue;
      const server = this.buildResourceServer(resource);
      if (servers.some((other) => other.identifier === server.identifier)) {
        this.fail(resource.path, `a second resource server with Identifier "${server.identifier}"`);
      }
      servers.push(server);
    }
    return servers;
  }

  private buildResourceServer(resource: Resource): ResourceServer {
    this.checkPoolRef(resource);
    const path = `${resource.path}.Properties`;
    const props = this.resolveProperties(resource, ["Identifier", "Name", "Scopes"]);
    const scopes = this.optionalArray(props.Scopes, joinPath(path, "Scopes")) ?? [];
    return {
      identifier: this.requireString(props.Identifier, joinPath(path, "Identifier")),
      name: this.requireString(props.Name, joinPath(path, "Name")),
      scopes: scopes.map((scope, i) => {
        const scopePath = joinPath(joinPath(path, "Scopes"), i);
        const record = this.optionalRecord(scope, scopePath);
        if (record === undefined) return this.fail(scopePath, "must be a mapping");
        return {
          name: this.requireString(record.ScopeName, joinPath(scopePath, "ScopeName")),
          description: this.requireString(
            record.ScopeDescription,
            joinPath(scopePath, "ScopeDescription"),
          ),
        };
      }),
    };
  }

  private buildStaticClient(resource: Resource): StaticClientProperties {
    this.checkPoolRef(resource);
    const path = `${resource.path}.Properties`;
    const { UserPoolId: _, ...props } = this.resolveObject(resource.properties, path);
    const at = (key: string) => joinPath(path, key);
    for (const key of Object.keys(props)) {
      if (!CLIENT_PROPERTIES.has(key))
        this.fail(at(key), `is not a property of ${USER_POOL_CLIENT}`);
    }
    const client: { [key: string]: unknown } = { ...props };
    client.ClientName =
      this.optionalString(props.ClientName, at("ClientName")) ?? resource.logicalId;
    for (const key of [
      "GenerateSecret",
      "AllowedOAuthFlowsUserPoolClient",
      "EnableTokenRevocation",
      "EnablePropagateAdditionalUserContextData",
    ]) {
      if (key in props) client[key] = this.optionalBoolean(props[key], at(key));
    }
    for (const key of [
      "AccessTokenValidity",
      "IdTokenValidity",
      "RefreshTokenValidity",
      "AuthSessionValidity",
    ]) {
      if (key in props) client[key] = this.optionalInteger(props[key], at(key));
    }
    for (const key of [
      "AllowedOAuthScopes",
      "CallbackURLs",
      "LogoutURLs",
      "ExplicitAuthFlows",
      "SupportedIdentityProviders",
      "ReadAttributes",
      "WriteAttributes",
    ]) {
      if (key in props) client[key] = this.optionalStringList(props[key], at(key));
    }
    for (const key of ["DefaultRedirectURI"]) {
      if (key in props) client[key] = this.optionalString(props[key], at(key));
    }
    if ("AllowedOAuthFlows" in props) {
      const flows = this.optionalStringList(props.AllowedOAuthFlows, at("AllowedOAuthFlows")) ?? [];
      flows.forEach((flow, i) => {
        this.optionalEnum(flow, OAUTH_FLOWS, joinPath(at("AllowedOAuthFlows"), i));
      });
      client.AllowedOAuthFlows = flows;
    }
    if ("PreventUserExistenceErrors" in props) {
      client.PreventUserExistenceErrors = this.optionalEnum(
        props.PreventUserExistenceErrors,
        ["LEGACY", "ENABLED"],
        at("PreventUserExistenceErrors"),
      );
    }
    if ("TokenValidityUnits" in props) {
      const units = this.optionalRecord(props.TokenValidityUnits, at("TokenValidityUnits"));
      if (units !== undefined) {
        const checked: { [key: string]: TimeUnit | undefined } = {};
        for (const [key, unit] of Object.entries(units)) {
          const unitPath = joinPath(at("TokenValidityUnits"), key);
          if (!["AccessToken", "IdToken", "RefreshToken"].includes(key)) {
            this.fail(unitPath, "is not a token kind (AccessToken, IdToken, RefreshToken)");
          }
          checked[key] = this.optionalEnum(unit, TIME_UNITS, unitPath);
        }
        client.TokenValidityUnits = checked;
      }
    }
    if ("RefreshTokenRotation" in props) {
      const rotation = this.optionalRecord(props.RefreshTokenRotation, at("RefreshTokenRotation"));
      if (rotation !== undefined) {
        const rotationPath = at("RefreshTokenRotation");
        client.RefreshTokenRotation = {
          Feature: this.optionalEnum(
            rotation.Feature,
            ["ENABLED", "DISABLED"],
            joinPath(rotationPath, "Feature"),
          ),
          ...(rotation.RetryGracePeriodSeconds === undefined
            ? {}
            : {
                RetryGracePeriodSeconds: this.optionalInteger(
                  rotation.RetryGracePeriodSeconds,
                  joinPath(rotationPath, "RetryGracePeriodSeconds"),
                ),
              }),
        };
      }
    }
    for (const key of Object.keys(client)) {
      if (client[key] === undefined) delete client[key];
    }
    return client as StaticClientProperties;
  }

  /** The Cognito resources must belong to the pool: `UserPoolId: !Ref <pool>`. */
  private checkPoolRef(resource: Resource): void {
    const path = `${resource.path}.Properties.UserPoolId`;
    const value = this.resolve(resource.properties.UserPoolId ?? null, path);
    if (value !== this.context.userPoolId) {
      this.fail(path, `must be !Ref ${this.pool?.logicalId ?? "<the user pool>"}`);
    }
  }

  /** Resolves only the named properties, so that those the stand-in ignores need no local value. */
  private resolveProperties(
    resource: Resource,
    keys: readonly string[],
  ): { [key: string]: Json | undefined } {
    const resolved: { [key: string]: Json | undefined } = {};
    for (const key of keys) {
      const tree = resource.properties[key];
      if (tree === undefined) continue;
      const value = this.resolve(tree, `${resource.path}.Properties.${key}`);
      if (value !== NO_VALUE) resolved[key] = value;
    }
    return resolved;
  }

  private resolveObject(tree: { [key: string]: Tree }, path: string): { [key: string]: Json } {
    const value = this.resolve(tree, path);
    if (!isJsonRecord(value)) return this.fail(path, "must be a mapping");
    return value;
  }

  /** A value with every intrinsic replaced; `NO_VALUE` where `AWS::NoValue` removes it. */
  private resolve(tree: Tree, path: string): Resolved {
    if (tree instanceof Intrinsic) return this.call(tree, path);
    if (Array.isArray(tree)) {
      return tree
        .map((item, i) => this.resolve(item, joinPath(path, i)))
        .filter((item): item is Json => item !== NO_VALUE);
    }
    if (isRecord(tree)) {
      const out: { [key: string]: Json } = {};
      for (const [key, value] of Object.entries(tree)) {
        const resolved = this.resolve(value, joinPath(path, key));
        if (resolved !== NO_VALUE) out[key] = resolved;
      }
      return out;
    }
    return tree;
  }

  /** An argument of an intrinsic, which must give a value (not `AWS::NoValue`). */
  private resolveValue(tree: Tree, path: string, label: string): Json {
    const value = this.resolve(tree, path);
    if (value === NO_VALUE) return this.fail(path, `AWS::NoValue is not a value in ${label}`);
    return value;
  }

  private call(intrinsic: Intrinsic, path: string): Resolved {
    const { fn, arg, label } = intrinsic;
    if (UNSUPPORTED_FUNCTIONS.has(fn)) return this.fail(path, `${label} is not supported locally`);
    if (!SUPPORTED_FUNCTIONS.has(fn)) return this.fail(path, `unknown intrinsic function "${fn}"`);
    if (CONDITION_FUNCTIONS.has(fn)) {
      return this.fail(path, `${label} may be used only in Conditions`);
    }
    switch (fn) {
      case "Ref": {
        if (typeof arg !== "string") return this.fail(path, `${label} needs a name`);
        return this.ref(arg, path, label);
      }
      case "Fn::GetAtt": {
        const parts = typeof arg === "string" ? splitAttribute(arg) : arg;
        const [logicalId, attribute] = this.args(parts, 2, path, label).map((part) =>
          this.resolveValue(part, path, label),
        );
        if (typeof logicalId !== "string" || typeof attribute !== "string" || attribute === "") {
          return this.fail(path, `${label} needs a resource and an attribute name`);
        }
        return this.getAtt(logicalId, attribute, path, label);
      }
      case "Fn::Sub":
        return this.sub(arg, path, label);
      case "Fn::If": {
        const [name, ifTrue, ifFalse] = this.args(arg, 3, path, label);
        if (typeof name !== "string") return this.fail(path, `${label} needs a condition name`);
        return this.resolve(this.evaluateCondition(name, path, label) ? ifTrue : ifFalse, path);
      }
      case "Fn::Join": {
        const [delimiter, list] = this.args(arg, 2, path, label);
        if (typeof delimiter !== "string") return this.fail(path, `${label} needs a delimiter`);
        return this.list(list, path, label)
          .map((item) => this.scalarString(item, path, label))
          .join(delimiter);
      }
      case "Fn::Split": {
        const [delimiter, text] = this.args(arg, 2, path, label);
        if (typeof delimiter !== "string" || delimiter === "") {
          return this.fail(path, `${label} needs a delimiter`);
        }
        return this.scalarString(this.resolveValue(text, path, label), path, label).split(
          delimiter,
        );
      }
      case "Fn::Select": {
        const [indexTree, listTree] = this.args(arg, 2, path, label);
        const rawIndex = this.resolveValue(indexTree, path, label);
        const index =
          typeof rawIndex === "number" || (typeof rawIndex === "string" && rawIndex.trim() !== "")
            ? Number(rawIndex)
            : Number.NaN;
        const list = this.list(listTree, path, label);
        if (!Number.isInteger(index) || index < 0 || index >= list.length) {
          return this.fail(path, `index ${String(index)} is out of range in ${label}`);
        }
        return list[index] ?? null;
      }
      case "Fn::FindInMap": {
        const keys = this.args(arg, 3, path, label).map((key) =>
          this.scalarString(this.resolveValue(key, path, label), path, label),
        );
        let value: Tree = this.mappings;
        for (const key of keys) {
          if (!isRecord(value) || !Object.hasOwn(value, key)) {
            return this.fail(path, `no Mappings entry ${keys.join(".")} in ${label}`);
          }
          value = value[key] ?? null;
        }
        return this.resolveValue(value, path, label);
      }
      case "Fn::Base64": {
        const text = this.scalarString(this.resolveValue(arg, path, label), path, label);
        const bytes = new TextEncoder().encode(text);
        return btoa(String.fromCharCode(...bytes));
      }
      default:
        return this.fail(path, `unknown intrinsic function "${fn}"`);
    }
  }

  private args(arg: Tree, count: 1, path: string, label: string): [Tree];
  private args(arg: Tree, count: 2, path: string, label: string): [Tree, Tree];
  private args(arg: Tree, count: 3, path: string, label: string): [Tree, Tree, Tree];
  private args(arg: Tree, count: number, path: string, label: string): Tree[] {
    if (!Array.isArray(arg) || arg.length !== count) {
      return this.fail(path, `${label} needs a list of ${count}`);
    }
    return arg;
  }

  private list(tree: Tree, path: string, label: string): Json[] {
    const value = this.resolveValue(tree, path, label);
    if (!Array.isArray(value)) return this.fail(path, `${label} needs a list`);
    return value;
  }

  private scalarString(value: Json, path: string, label: string): string {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      return String(value);
    }
    return this.fail(
      path,
      `${label} needs a string, not ${Array.isArray(value) ? "a list" : "a mapping"}`,
    );
  }

  private ref(name: string, path: string, label: string): Resolved {
    if (name === "AWS::NoValue") return NO_VALUE;
    const pseudo = this.pseudo.get(name);
    if (pseudo !== undefined) return pseudo;
    const parameter = this.parameters.get(name);
    if (parameter !== undefined) return parameter;
    const resource = this.targetResource(name, path, label, "parameter");
    if (resource === this.pool) return this.context.userPoolId;
    if (resource === this.client) return this.context.staticClientId;
    if (resource === this.domain) {
      const domainPath = `${resource.path}.Properties.Domain`;
      if (this.inProgress.has(domainPath)) {
        return this.fail(path, `${label} of ${name} depends on itself`);
      }
      this.inProgress.add(domainPath);
      const domain = this.resolveValue(resource.properties.Domain ?? null, domainPath, label);
      this.inProgress.delete(domainPath);
      return domain;
    }
    return resource.logicalId;
  }

  private getAtt(logicalId: string, attribute: string, path: string, label: string): Json {
    const resource = this.targetResource(logicalId, path, label, "resource");
    const { region, userPoolId, issuer } = this.context;
    const accountId = this.context.accountId ?? DEFAULT_ACCOUNT_ID;
    const value =
      resource === this.pool
        ? {
            Arn: `arn:aws:cognito-idp:${region}:${accountId}:userpool/${userPoolId}`,
            ProviderURL: issuer,
            ProviderName: issuer.replace(/^[a-z]+:\/\//, ""),
            UserPoolId: userPoolId,
          }[attribute]
        : resource === this.client
          ? {
              ClientId: this.context.staticClientId,
              ClientSecret: this.context.staticClientSecret,
            }[attribute]
          : undefined;
    if (value === undefined) {
      return this.fail(path, `${logicalId}.${attribute} has no local value in ${label}`);
    }
    return value;
  }

  private targetResource(name: string, path: string, label: string, kind: string): Resource {
    const resource = this.resources.get(name);
    if (resource === undefined) return this.fail(path, `unknown ${kind} "${name}" in ${label}`);
    const condition = this.skipped.get(name);
    if (condition !== undefined) {
      return this.fail(path, `${label} of ${name}, which condition ${condition} leaves out`);
    }
    return resource;
  }

  /** `Fn::Sub`: `${Name}`, `${Resource.Attribute}`, `${!Literal}`, with optional variables. */
  private sub(arg: Tree, path: string, label: string): string {
    let template: Tree = arg;
    let variables: { [key: string]: Tree } = {};
    if (Array.isArray(arg)) {
      const [text, vars] = this.args(arg, 2, path, label);
      if (!isRecord(vars)) return this.fail(path, `${label} variables must be a mapping`);
      template = text ?? null;
      variables = vars;
    }
    if (typeof template !== "string") return this.fail(path, `${label} needs a string`);
    return template.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
      if (inner.startsWith("!")) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      let value: Resolved;
      if (Object.hasOwn(variables, name)) {
        value = this.resolveValue(variables[name] ?? null, path, label);
      } else if (name.includes(".") && !this.parameters.has(name) && !this.pseudo.has(name)) {
        const [logicalId, attribute] = splitAttribute(name);
        value = this.getAtt(logicalId, attribute, path, label);
      } else {
        value = this.ref(name, path, label);
      }
      if (value === NO_VALUE) return this.fail(path, `AWS::NoValue is not a value in ${label}`);
      return this.scalarString(value, path, label);
    });
  }

  private requireString(value: unknown, path: string): string {
    if (typeof value !== "string") return this.fail(path, "must be a string");
    return value;
  }

  private optionalString(value: Json | undefined, path: string): string | undefined {
    return value === undefined ? undefined : this.requireString(value, path);
  }

  private optionalEnum<T extends string>(
    value: Json | undefined,
    allowed: readonly T[],
    path: string,
  ): T | undefined {
    if (value === undefined) return undefined;
    if (!allowed.includes(value as T)) {
      this.fail(path, `must be one of ${allowed.join(", ")}, not ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  /** CloudFormation takes `"true"`/`"false"` (as from a parameter) for a boolean. */
  private optionalBoolean(value: Json | undefined, path: string): boolean | undefined {
    if (value === undefined || typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    return this.fail(path, `must be true or false, not ${JSON.stringify(value)}`);
  }

  /** CloudFormation takes a numeric string (as from a parameter) for a number. */
  private optionalInteger(value: Json | undefined, path: string): number | undefined {
    if (value === undefined) return undefined;
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n)) {
      return this.fail(path, `must be a whole number, not ${JSON.stringify(value)}`);
    }
    return n;
  }

  private optionalArray(value: Json | undefined, path: string): Json[] | undefined {
    if (value === undefined || Array.isArray(value)) return value;
    return this.fail(path, "must be a list");
  }

  private optionalStringList(value: Json | undefined, path: string): string[] | undefined {
    return this.optionalArray(value, path)?.map((item, i) =>
      this.requireString(item, joinPath(path, i)),
    );
  }

  private optionalRecord(
    value: Json | undefined,
    path: string,
  ): { [key: string]: Json } | undefined {
    if (value === undefined || isJsonRecord(value)) return value;
    return this.fail(path, "must be a mapping");
  }

  private fail(path: string, message: string): never {
    throw new TypeError(`${this.source}: ${path}: ${message}`);
  }
}

function isJsonRecord(value: unknown): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `Resource.Attribute`; attribute names may themselves hold dots (`Endpoint.Address`). */
function splitAttribute(text: string): [string, string] {
  const dot = text.indexOf(".");
  return dot <= 0 ? [text, ""] : [text.slice(0, dot), text.slice(dot + 1)];
}

/** CloudFormation compares `Fn::Equals` operands as strings: `1` equals `"1"`, `true` `"true"`. */
function canonicalJson(value: Json): string {
  const canonical = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(canonical);
    if (isJsonRecord(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((key) => [key, canonical(v[key] ?? null)]),
      );
    }
    return v === null ? null : String(v);
  };
  return JSON.stringify(canonical(value));
}
