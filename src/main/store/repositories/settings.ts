// Settings: one row per key, the value as JSON. Missing keys read as their defaults, so a fresh database
// and an older one both answer with a complete Settings.
import type { Settings } from '../../../shared/dto';
import type { Db } from '../db';
import { fromJson, toJson } from '../json';

export const defaultSettings: Settings = {
  theme: 'system',
  jobConcurrency: 1,
  recentDatasets: [],
  queueUrl: null,
};

const keys = Object.keys(defaultSettings) as (keyof Settings)[];

export interface SettingsRepository {
  get(): Settings;
  /** Writes the given keys (one transaction) and returns the complete settings. */
  update(patch: Partial<Settings>): Settings;
}

export function createSettingsRepository(db: Db): SettingsRepository {
  const selectAll = db.prepare<[], { key: string; value_json: string }>(
    `SELECT key, value_json FROM settings`,
  );
  const upsert = db.prepare<[string, string]>(`
    INSERT INTO settings (key, value_json) VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json`);

  const get = (): Settings => {
    const out: Settings = { ...defaultSettings, recentDatasets: [...defaultSettings.recentDatasets] };
    const record = out as unknown as Record<string, unknown>;
    for (const row of selectAll.all()) {
      if ((keys as string[]).includes(row.key))
        record[row.key] = fromJson(row.value_json, `settings ${row.key}`);
    }
    return out;
  };

  const write = db.transaction((patch: Partial<Settings>) => {
    for (const key of keys) {
      const value = patch[key];
      if (value !== undefined) upsert.run(key, toJson(value));
    }
  });

  return {
    get,
    update(patch) {
      write(patch);
      return get();
    },
  };
}
