import {
  CLIENT_SEEN_WRITE_INTERVAL_SECONDS,
  type ClientSeen,
  clientSeenKey,
} from "@mcp-cognito-workers/registrations";

/** How long a KV read of a client's marker is cached at the edge. */
export const CLIENT_SEEN_CACHE_TTL_SECONDS = 60 * 60;

/**
 * Records that a client used a token, for workers/dcr's cleanup of registrations nobody uses: at
 * most once per {@link CLIENT_SEEN_WRITE_INTERVAL_SECONDS} per client, as the value and as list
 * metadata. `writtenAt` remembers, per isolate, when each client was last recorded, so that most
 * requests touch KV not at all.
 */
export async function recordClientSeen(
  registrations: KVNamespace,
  clientId: string,
  nowMs: number,
  writtenAt: Map<string, number>,
): Promise<void> {
  const now = Math.floor(nowMs / 1000);
  const due = (seenAt: number | undefined) =>
    seenAt === undefined || now - seenAt >= CLIENT_SEEN_WRITE_INTERVAL_SECONDS;
  if (!due(writtenAt.get(clientId))) return;
  const { metadata } = await registrations.getWithMetadata<ClientSeen>(clientSeenKey(clientId), {
    cacheTtl: CLIENT_SEEN_CACHE_TTL_SECONDS,
  });
  if (!due(metadata?.seenAt)) {
    writtenAt.set(clientId, metadata?.seenAt ?? now);
    return;
  }
  const marker: ClientSeen = { clientId, seenAt: now };
  writtenAt.set(clientId, now);
  await registrations.put(clientSeenKey(clientId), JSON.stringify(marker), { metadata: marker });
}
