import type Database from 'better-sqlite3';

/** One schema step. Shipped migrations are never edited: a change is a new numbered file (STYLE.md §10). */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}
