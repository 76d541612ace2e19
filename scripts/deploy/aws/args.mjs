// What every AWS CLI call of the deploy and the cleanup passes.

/** AWS CLI arguments shared by every call: region and, for tests, an endpoint. */
export function buildAwsArgs(aws) {
  const args = [];
  if (aws.region) args.push("--region", aws.region);
  if (aws.endpointUrl) args.push("--endpoint-url", aws.endpointUrl);
  return args;
}
