import { readInput } from "../input";
import { DESCRIBE_USER_POOL } from "../shapes";
import { assertUserPool, type Operation, toEpochSeconds } from "./common";

/** The account id in the stand-in's ARNs. */
export const LOCAL_ACCOUNT_ID = "000000000000";

/** DescribeUserPool → `{UserPool}`, made from infra/cognito.yaml as the stand-in read it. */
export const describeUserPool: Operation = (input, pool) => {
  const request = readInput(input, DESCRIBE_USER_POOL) as { UserPoolId: string };
  assertUserPool(pool, request.UserPoolId);
  const { config, template } = pool;
  const policy = template.passwordPolicy;
  // The pool has no stored birth date; the static client is made when the pool is first seeded.
  const created =
    pool.store.getClient(config.staticClientId)?.CreationDate ?? toEpochSeconds(pool.now());
  return {
    UserPool: {
      Id: config.userPoolId,
      Name: template.userPoolName,
      Policies: {
        PasswordPolicy: {
          MinimumLength: policy.minimumLength,
          RequireUppercase: policy.requireUppercase,
          RequireLowercase: policy.requireLowercase,
          RequireNumbers: policy.requireNumbers,
          RequireSymbols: policy.requireSymbols,
          TemporaryPasswordValidityDays: policy.temporaryPasswordValidityDays,
        },
      },
      LambdaConfig: {},
      LastModifiedDate: created,
      CreationDate: created,
      MfaConfiguration: "OFF",
      EstimatedNumberOfUsers: pool.store.countUsers(),
      Domain: template.domainPrefix,
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: !template.allowSelfSignUp },
      UsernameConfiguration: { CaseSensitive: template.usernameCaseSensitive },
      Arn: `arn:aws:cognito-idp:${config.region}:${LOCAL_ACCOUNT_ID}:userpool/${config.userPoolId}`,
      UserPoolTier: template.featurePlan,
    },
  };
};
