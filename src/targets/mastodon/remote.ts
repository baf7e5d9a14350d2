/**
 * A posted status as the outbox records it (a delivery's remoteId): its id, then a space and its web
 * address when the instance gave one ("<id> <url>"; an id has no spaces, Mastodon's are digits).
 * Edits need the id; /why and the dashboard link the address.
 */
export function statusRemoteId(id: string, url: string | null): string {
  return url ? `${id} ${url}` : id;
}

/** The id and web address a recorded remoteId names (see statusRemoteId); a bare id, as recorded before addresses were kept, has none. Pure. */
export function statusOf(remoteId: string): { id: string; url: string | null } {
  const space = remoteId.indexOf(' ');
  return space < 0 ? { id: remoteId, url: null } : { id: remoteId.slice(0, space), url: remoteId.slice(space + 1) };
}
