/**
 * A v1 location API key is a JWT whose payload carries `location_id` and `version: 1`.
 * Returns its location id, or null when the key is not such a JWT.
 */
export function decodeV1Key(key: string): { locationId: string } | null {
  const parts = key.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof payload.location_id === 'string' && Number(payload.version) === 1) return { locationId: payload.location_id };
  } catch {
    // Not base64url JSON: not a v1 key.
  }
  return null;
}
