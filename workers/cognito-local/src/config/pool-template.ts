import type { UserPoolClient } from "../store/records";

/** Cognito's feature plans (`UserPoolTier`). */
export type FeaturePlan = "LITE" | "ESSENTIALS" | "PLUS";

/** A resource server of the pool and its scopes. */
export interface ResourceServer {
  identifier: string;
  name: string;
  scopes: { name: string; description: string }[];
}

/** The password policy of the pool (`Policies.PasswordPolicy`). */
export interface PasswordPolicy {
  minimumLength: number;
  requireLowercase: boolean;
  requireUppercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
  temporaryPasswordValidityDays: number;
}

/** The static (pre-registered) app client's properties: CreateUserPoolClient's input, no pool id. */
export type StaticClientProperties = Partial<
  Omit<
    UserPoolClient,
    "UserPoolId" | "ClientId" | "ClientSecret" | "CreationDate" | "LastModifiedDate"
  >
> & { ClientName: string; GenerateSecret?: boolean };

/** What infra/cognito.yaml says about the pool, with every intrinsic resolved for local use. */
export interface PoolTemplate {
  userPoolName: string;
  featurePlan: FeaturePlan;
  /** Usernames compare case-insensitively unless `UsernameConfiguration.CaseSensitive` is true. */
  usernameCaseSensitive: boolean;
  /** `AdminCreateUserConfig.AllowAdminCreateUserOnly` negated: whether the sign-up page is offered. */
  allowSelfSignUp: boolean;
  passwordPolicy: PasswordPolicy;
  domainPrefix: string;
  resourceServers: ResourceServer[];
  staticClient: StaticClientProperties;
}

/** Scopes Cognito knows without a resource server. */
export const OIDC_SCOPES = [
  "openid",
  "email",
  "phone",
  "profile",
  "aws.cognito.signin.user.admin",
] as const;

/** Every scope that exists in the pool: the OIDC ones and `<resourceServer>/<scope>`. */
export function listPoolScopes(template: PoolTemplate): string[] {
  return [
    ...OIDC_SCOPES,
    ...template.resourceServers.flatMap((server) =>
      server.scopes.map((scope) => `${server.identifier}/${scope.name}`),
    ),
  ];
}

/** Whether a scope is a resource-server (custom) scope, the only kind client_credentials grants. */
export function isCustomScope(scope: string): boolean {
  return scope.includes("/");
}
