// The shared logger, under the path src/mcp/endpoint.ts imports it from.
export { logEvent } from "@mcp-cognito-workers/http";
