import { type Kysely, sql } from 'kysely';
import { rederiveSearchRows } from '../src/db/search-rederive.repository.js';

// Names with a Latin letter Unicode does not decompose (Łukasz, Søren, Straße) lost that letter
// in the search words ("ukasz"), so typing the name found nothing. Such letters are now written
// as their plain form; the contacts holding one get their search rows again, as a sync would
// write them, so queries normalised the new way find them. Any other contact is left alone.
const LETTERS = '[łŁøØđĐðÐßẞæÆœŒþÞıħĦŧŦ]';

export async function up(db: Kysely<any>): Promise<void> {
  await rederiveSearchRows(
    db,
    (c, ctx) => sql<boolean>`concat_ws(' ', ${c}.name, ${c}.company_name, ${c}.email, array_to_string(${c}.tags, ' '),
      array_to_string(${ctx}.nicknames, ' '), array_to_string(${ctx}.manual_nicknames, ' ')) ~ ${LETTERS}`,
  );
}

// The rows written are what a sync would write now; going back leaves them as they are.
export async function down(): Promise<void> {}
