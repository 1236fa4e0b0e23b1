import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';

// A static list (not a folder scan) so the compiled package always carries every migration.
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
};
