/**
 * One canonical JSON for everything that is hashed: audit rows, capability profiles.
 */

/**
 * JSON with object keys sorted at every level; no whitespace; `undefined` members left out.
 * `omit` leaves out these top-level keys.
 */
export function canonicalJson(value: unknown, omit?: ReadonlySet<string>): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i] === undefined ? null : value[i]);
    return out + ']';
  }
  const object = value as Record<string, unknown>;
  const all = Object.keys(object);
  const keys = (omit === undefined ? all : all.filter((k) => !omit.has(k))).sort();
  // The usual payload is flat: copied in sorted key order, it serialises on V8's fast path. (Not
  // with integer-like keys, which objects always enumerate first.)
  if (isFlat(object, keys)) {
    const sorted: Record<string, unknown> = {};
    for (const key of keys) sorted[key] = object[key];
    return JSON.stringify(sorted);
  }
  let out = '{';
  for (const key of keys) {
    const v = object[key];
    if (v === undefined) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(v);
  }
  return out + '}';
}

function isFlat(object: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const key of keys) {
    const c = key.charCodeAt(0);
    if (c >= 48 && c <= 57 && /^\d+$/.test(key)) return false;
    // Assigned to a plain object, "__proto__" would set its prototype, not a member.
    if (key === '__proto__') return false;
    const v = object[key];
    if (v !== null && typeof v === 'object') {
      if (!Array.isArray(v)) return false;
      for (const item of v) if (item !== null && typeof item === 'object') return false;
    }
  }
  return true;
}
