import type { OAuthFlow, TimeUnit } from "../store/records";
import type { TemplateEvaluator } from "./cloudformation/evaluator";
import type { Resource } from "./cloudformation/sections";
import { fail, type Json, joinPath } from "./cloudformation/tree";
import type { StaticClientProperties } from "./pool-template";
import {
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalRecord,
  optionalString,
  optionalStringList,
} from "./template-fields";

/** The CloudFormation type of an app client. */
export const USER_POOL_CLIENT = "AWS::Cognito::UserPoolClient";

const OAUTH_FLOWS: readonly OAuthFlow[] = ["code", "implicit", "client_credentials"];
const TIME_UNITS: readonly TimeUnit[] = ["seconds", "minutes", "hours", "days"];
const TOKEN_KINDS = ["AccessToken", "IdToken", "RefreshToken"];

/** Reads one property's resolved value, checked, as CreateUserPoolClient takes it. */
type FieldReader = (value: Json, path: string) => unknown;

/**
 * The properties of `AWS::Cognito::UserPoolClient` but `UserPoolId`: those of CreateUserPoolClient.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-userpoolclient.html
 */
const CLIENT_FIELDS: Readonly<Record<string, FieldReader>> = {
  AccessTokenValidity: optionalInteger,
  AllowedOAuthFlows: (value, path) =>
    optionalStringList(value, path)?.map((flow, i) =>
      optionalEnum(flow, OAUTH_FLOWS, joinPath(path, i)),
    ),
  AllowedOAuthFlowsUserPoolClient: optionalBoolean,
  AllowedOAuthScopes: optionalStringList,
  AnalyticsConfiguration: (value) => value,
  AuthSessionValidity: optionalInteger,
  CallbackURLs: optionalStringList,
  ClientName: optionalString,
  DefaultRedirectURI: optionalString,
  EnablePropagateAdditionalUserContextData: optionalBoolean,
  EnableTokenRevocation: optionalBoolean,
  ExplicitAuthFlows: optionalStringList,
  GenerateSecret: optionalBoolean,
  IdTokenValidity: optionalInteger,
  LogoutURLs: optionalStringList,
  PreventUserExistenceErrors: (value, path) => optionalEnum(value, ["LEGACY", "ENABLED"], path),
  ReadAttributes: optionalStringList,
  RefreshTokenRotation: readRefreshTokenRotation,
  RefreshTokenValidity: optionalInteger,
  SupportedIdentityProviders: optionalStringList,
  TokenValidityUnits: readTokenValidityUnits,
  WriteAttributes: optionalStringList,
};

/**
 * The static client's properties, each checked as CreateUserPoolClient would; `ClientName`
 * defaults to the logical id; `checkPoolRef` checks `UserPoolId`.
 */
export function extractStaticClient(
  evaluator: TemplateEvaluator,
  resource: Resource,
  checkPoolRef: (resource: Resource) => void,
): StaticClientProperties {
  checkPoolRef(resource);
  const client: { [key: string]: unknown } = {};
  for (const key of Object.keys(resource.properties)) {
    if (key === "UserPoolId") continue;
    const path = `${resource.path}.Properties.${key}`;
    const read = CLIENT_FIELDS[key];
    if (read === undefined) return fail(path, `is not a property of ${USER_POOL_CLIENT}`);
    const value = read(evaluator.resolveProperty(resource, key) ?? null, path);
    if (value !== undefined) client[key] = value;
  }
  client.ClientName ??= resource.logicalId;
  return client as StaticClientProperties;
}

function readTokenValidityUnits(value: Json, path: string): { [kind: string]: TimeUnit } {
  const units = optionalRecord(value, path) ?? {};
  const checked: { [kind: string]: TimeUnit } = {};
  for (const [kind, unit] of Object.entries(units)) {
    const unitPath = joinPath(path, kind);
    if (!TOKEN_KINDS.includes(kind)) {
      fail(unitPath, `is not a token kind (${TOKEN_KINDS.join(", ")})`);
    }
    const checkedUnit = optionalEnum(unit, TIME_UNITS, unitPath);
    if (checkedUnit !== undefined) checked[kind] = checkedUnit;
  }
  return checked;
}

function readRefreshTokenRotation(value: Json, path: string) {
  const rotation = optionalRecord(value, path) ?? {};
  const grace = rotation.RetryGracePeriodSeconds;
  return {
    Feature: optionalEnum(rotation.Feature, ["ENABLED", "DISABLED"], joinPath(path, "Feature")),
    ...(grace === undefined
      ? {}
      : {
          RetryGracePeriodSeconds: optionalInteger(
            grace,
            joinPath(path, "RetryGracePeriodSeconds"),
          ),
        }),
  };
}
