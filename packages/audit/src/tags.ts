/**
 * Filterable columns as FTS5 tokens. Each value becomes one token, `<column prefix><hex of the
 * value>`, in the index's `tags` column: exact (no tokenizer splits it), and a filter on the tags
 * column cannot be satisfied by words in the text column.
 */
export type TagColumn = 'event' | 'decision' | 'risk_level' | 'session' | 'actor';

const PREFIX: Readonly<Record<TagColumn, string>> = { event: 'ev', decision: 'dc', risk_level: 'rk', session: 'ss', actor: 'ac' };

/** Sessions, actors, decisions repeat from row to row: encode each value once. */
const cache: Readonly<Record<TagColumn, Map<string, string>>> = {
  event: new Map(),
  decision: new Map(),
  risk_level: new Map(),
  session: new Map(),
  actor: new Map(),
};

export function tag(column: TagColumn, value: string): string {
  const tokens = cache[column];
  let token = tokens.get(value);
  if (token === undefined) {
    token = PREFIX[column] + Buffer.from(value, 'utf8').toString('hex');
    if (tokens.size > 4096) tokens.clear();
    tokens.set(value, token);
  }
  return token;
}

const COLUMNS = Object.keys(PREFIX) as TagColumn[];

export function rowTags(row: Readonly<Record<TagColumn, string | null>>): string {
  let tags = '';
  for (const column of COLUMNS) {
    const value: unknown = row[column];
    // Only text is a tag; a column edited to hold another type is left out (verify names the row).
    if (typeof value === 'string') tags += (tags === '' ? '' : ' ') + tag(column, value);
  }
  return tags;
}

/** An FTS5 expression matching rows whose column holds any of the values. */
export function tagFilter(column: TagColumn, values: readonly string[]): string {
  return `tags : (${values.map((v) => `"${tag(column, v)}"`).join(' OR ')})`;
}
