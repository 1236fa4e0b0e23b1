import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_small_trigram_pending_list.js';
import * as m0003 from './0003_importance_rank_index.js';
import * as m0004 from './0004_ranking_facts_in_search.js';
import * as m0005 from './0005_pending_list_per_session.js';
import * as m0006 from './0006_email_domain_index.js';
import * as m0007 from './0007_override_copies_follow_context.js';
import * as m0008 from './0008_full_pass_local_total.js';
import * as m0009 from './0009_plain_letters_in_search.js';
import * as m0010 from './0010_deleted_contacts_index.js';
import * as m0011 from './0011_other_scripts_in_search.js';
import * as m0012 from './0012_phone_ending_index.js';
import * as m0013 from './0013_spelling_index_without_pending_list.js';

// A static list (not a folder scan) so the compiled package always carries every migration.
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_small_trigram_pending_list': m0002,
  '0003_importance_rank_index': m0003,
  '0004_ranking_facts_in_search': m0004,
  '0005_pending_list_per_session': m0005,
  '0006_email_domain_index': m0006,
  '0007_override_copies_follow_context': m0007,
  '0008_full_pass_local_total': m0008,
  '0009_plain_letters_in_search': m0009,
  '0010_deleted_contacts_index': m0010,
  '0011_other_scripts_in_search': m0011,
  '0012_phone_ending_index': m0012,
  '0013_spelling_index_without_pending_list': m0013,
};
