// A shipped migration is never edited (STYLE.md §10): databases in the field were built by the text that
// shipped. Each migration file is pinned by its hash; a schema change is a NEW numbered file, whose hash is
// added here together with its own test.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../src/main/store/migrations';

const folder = join(import.meta.dirname, '..', '..', '..', 'src', 'main', 'store', 'migrations');

const shipped: Record<string, string> = {
  '001-initial.ts': 'f4ef8401f88f0e60aeeb1ebdb84f031dbac8e7e0dfb1c9e96bf258f0eeae31af',
  '002-run-metrics-json.ts': 'b71ef1f8873ab70fc6f6cbe35b4ef205bb5074cd51e7947580a718a541313a61',
  '003-evaluation-predictions.ts': '682342b6f9e6fcc9d6f94fc8839989400c6271a0267c72da1899bc766c18a30a',
  '004-prune-step-measures.ts': '8bb7f27fd5d439659fc57498c2b0cdeaf1f732051edb283cdd0e373d61289d12',
  '005-dataset-identity.ts': '4ffccb832789f7ce3ba1a4a65e8f20455b1ba33eedbbb3285dad60622c5a3405',
  '006-run-cancel-requests.ts': 'f2456f4fb692f2500309f0f5e405a92b73a78159025bc5b56c0dc0b59b08d0fd',
  '007-run-owner-lease.ts': '194c5845ecdd661521faa0eba184352cda2816f872cf77afd5fa59d9c0c7294a',
};

describe('shipped migrations', () => {
  it.each(Object.entries(shipped))('%s is unchanged', (file, hash) => {
    expect(
      createHash('sha256')
        .update(readFileSync(join(folder, file)))
        .digest('hex'),
    ).toBe(hash);
  });

  it('every numbered file is registered, in order, and has a test', () => {
    const files = readdirSync(folder)
      .filter((f) => /^\d{3}-.+\.ts$/.test(f))
      .sort();
    expect(files.map((f) => f.replace(/\.ts$/, ''))).toEqual(migrations.map((m) => m.name));
    const tests = readdirSync(import.meta.dirname);
    for (const f of files) expect(tests).toContain(f.replace(/\.ts$/, '.test.ts'));
  });
});
