import { type Kysely, sql } from 'kysely';
import { rederiveSearchRows } from '../src/db/search-rederive.repository.js';

// Search words kept only Latin letters and digits, so a contact named in another script (Иван
// Петров, 王伟, Σωκράτης) had none of its name in the index and could not be found by it. Letters of
// every script are now kept (marks dropped in all of them, as accents always were), and so are
// modifier letters used as apostrophes (ʼ, ʻ), now dropped as the apostrophe is. The contacts whose
// text holds anything beyond ASCII get their search rows again, as a sync would write them; only
// rows that read differently are written, and any other contact is left alone.
export async function up(db: Kysely<any>): Promise<void> {
  await rederiveSearchRows(
    db,
    (c, ctx) => sql<boolean>`concat_ws(' ', ${c}.name, ${c}.company_name, ${c}.email, array_to_string(${c}.tags, ' '),
      array_to_string(${ctx}.nicknames, ' '), array_to_string(${ctx}.manual_nicknames, ' ')) ~ '[^[:ascii:]]'`,
    { onlyStale: true },
  );
}

// The rows written are what a sync would write now; going back leaves them as they are.
export async function down(): Promise<void> {}
