import { openPglite, openPostgres, type Storage } from '../../src/store/db.js';
import { createTestDatabase } from './services.js';

export type StorageKind = 'pglite' | 'postgres';
export const STORAGE_KINDS: StorageKind[] = ['pglite', 'postgres'];

/** A migrated, empty storage of the given kind; `close` also drops the test database. */
export async function openTestStorage(kind: StorageKind): Promise<Storage> {
  if (kind === 'pglite') {
    const storage = await openPglite(null);
    let closed: Promise<void> | null = null;
    return { ...storage, close: () => (closed ??= storage.close()) };
  }
  const database = await createTestDatabase();
  const storage = await openPostgres(database.url, { max: 4 });
  let closed: Promise<void> | null = null;
  return {
    ...storage,
    close: () =>
      (closed ??= (async () => {
        await storage.close();
        await database.drop();
      })()),
  };
}
