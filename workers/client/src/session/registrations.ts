import type { ClientRegistration, RegistrationStore } from "../oauth";
import { registrationKey } from "./keys";

/** DCR registrations in KV, one per authorization server issuer. */
export function createKvRegistrationStore(kv: KVNamespace): RegistrationStore {
  return {
    get: async (issuer) =>
      (await kv.get<ClientRegistration>(registrationKey(issuer), "json")) ?? undefined,
    put: (registration) =>
      kv.put(registrationKey(registration.issuer), JSON.stringify(registration)),
    delete: (issuer) => kv.delete(registrationKey(issuer)),
  };
}
