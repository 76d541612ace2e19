import { createApp } from "./app";
import { UserContexts } from "./contexts/user-contexts";

export { UserContexts };

/** The resource server with the real network and clock; its caches live for the isolate. */
const app = createApp();

export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
