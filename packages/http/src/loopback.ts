/** Host names of the loopback interface, as `URL.hostname` spells them. @see RFC 8252 §7.3 */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether `hostname` (a `URL.hostname`) is the loopback interface. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}
