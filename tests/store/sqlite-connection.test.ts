import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectSqlite } from '../../src/store/sqlite.js';

describe('a SQLite connection as Herald opens it', () => {
  it("caches SQLite's default 2,000 KiB of pages, not better-sqlite3's 16,000 KiB, with the write-ahead log", () => {
    const database = connectSqlite(join(mkdtempSync(join(tmpdir(), 'herald-sqlite-')), 'nested', 'db'));
    try {
      expect(database.pragma('cache_size', { simple: true })).toBe(-2000);
      expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      database.close();
    }
  });
});
