// The hot queries must be answered through indexes: EXPLAIN QUERY PLAN may show SEARCH … USING INDEX /
// PRIMARY KEY, or an ordered SCAN through an index, but never a full table scan or a sort step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/main/store';
import { metricSql } from '../../src/main/store/repositories/metrics';
import { runFilterKeys, runListSql, type RunFilterKey } from '../../src/main/store/repositories/runs';
import { memoryStore, pruneConfig, sampleDataset, trainConfig } from './fixtures';

let store: Store;
beforeAll(() => {
  store = memoryStore();
});
afterAll(() => store.close());

function plan(sql: string, ...params: unknown[]): string[] {
  return (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
    (r) => r.detail,
  );
}

/** Every step that reads a table uses an index; nothing is sorted in a temp b-tree. */
function expectIndexed(steps: string[]): void {
  expect(steps.length).toBeGreaterThan(0);
  for (const step of steps) {
    expect(step, steps.join(' | ')).not.toMatch(/TEMP B-TREE/);
    if (/^(SCAN|SEARCH) (?!ids\b)/.test(step)) {
      expect(step, steps.join(' | ')).toMatch(
        /USING (COVERING )?INDEX|USING PRIMARY KEY|USING INTEGER PRIMARY KEY/,
      );
    }
  }
}

describe('query plans of the hot queries', () => {
  it('runs list, unfiltered: ordered scan of the created_at index, lookups by key for the joined parts', () => {
    const steps = plan(runListSql([]), { limit: 50, offset: 0 });
    expectIndexed(steps);
    expect(steps).toContain('SCAN r USING INDEX runs_by_created');
    expect(steps.some((s) => s.startsWith('SEARCH e USING INDEX'))).toBe(true);
    expect(steps.some((s) => s.startsWith('SEARCH d USING INDEX'))).toBe(true);
    expect(steps.some((s) => s.startsWith('SEARCH a USING INDEX artifacts_by_run'))).toBe(true);
  });

  const expectedIndex: Record<RunFilterKey, string> = {
    datasetId: 'runs_by_dataset',
    criterion: 'runs_by_criterion',
    status: 'runs_by_status',
    kind: 'runs_by_kind',
    sweepId: 'runs_by_sweep',
    parentRunId: 'runs_by_parent',
  };
  it.each(runFilterKeys)('runs list filtered by %s searches its own index', (key) => {
    const steps = plan(runListSql([key]), { limit: 50, offset: 0, [key]: 'x' });
    expectIndexed(steps);
    expect(steps.some((s) => s.startsWith(`SEARCH r USING INDEX ${expectedIndex[key]}`))).toBe(true);
  });

  it('runs list with several filters still avoids scans and sorts', () => {
    const keys: RunFilterKey[] = ['datasetId', 'criterion', 'status', 'kind'];
    expectIndexed(
      plan(runListSql(keys), {
        limit: 50,
        offset: 0,
        datasetId: 'd',
        criterion: 'c',
        status: 's',
        kind: 'k',
      }),
    );
  });

  it("one run's full series reads the metrics primary key in order", () => {
    const steps = plan(metricSql.series, 'run');
    expectIndexed(steps);
    expect(steps).toEqual(['SEARCH metrics USING PRIMARY KEY (run_id=?)']);
  });

  it('one series (summary refresh) is a primary-key range', () => {
    expect(plan(metricSql.oneSeries, 'run', 'train', 'validation', 'loss')).toEqual([
      'SEARCH metrics USING PRIMARY KEY (run_id=? AND phase=? AND split=? AND name=?)',
    ]);
  });

  it('best/final of a page of runs are primary-key lookups in metric_summaries', () => {
    const steps = plan(metricSql.summariesOf, '["a","b"]');
    expectIndexed(steps);
    expect(steps).toContain('SEARCH s USING PRIMARY KEY (run_id=?)');
  });
});

describe('query plans once SQLite has statistics of a skewed history', () => {
  it('still answers every filter without a full scan or a sort', () => {
    const s = memoryStore();
    try {
      s.datasets.save(sampleDataset('ds-1', 'Shapes'));
      s.datasets.save(sampleDataset('ds-2', 'Digits'));
      const sweep = s.sweeps.create({ name: 'g', datasetId: 'ds-1', request: {} });
      s.transaction(() => {
        for (let i = 0; i < 300; i++) {
          const dense = s.runs.create({
            name: `d${i}`,
            kind: 'train',
            config: trainConfig(i % 10 ? 'ds-1' : 'ds-2'),
          });
          s.runs.setStatus(dense.id, 'done');
          const pruned = s.runs.create({
            name: `p${i}`,
            kind: 'prune',
            config: pruneConfig('ds-1', dense.id, i % 2 ? 'taylor' : 'random'),
            sweepId: i % 7 ? null : sweep.id,
          });
          s.runs.setStatus(pruned.id, i % 50 ? 'done' : 'failed');
        }
      });
      s.db.exec('ANALYZE');
      const params = {
        limit: 50,
        offset: 0,
        datasetId: 'ds-1',
        criterion: 'taylor',
        status: 'done',
        kind: 'prune',
        sweepId: sweep.id,
        parentRunId: 't-5',
      };
      for (const key of runFilterKeys) {
        const steps = (
          s.db.prepare(`EXPLAIN QUERY PLAN ${runListSql([key])}`).all(params) as { detail: string }[]
        ).map((r) => r.detail);
        for (const step of steps) {
          expect(step, `${key}: ${steps.join(' | ')}`).not.toMatch(/TEMP B-TREE/);
          if (/^(SCAN|SEARCH) /.test(step))
            expect(step, `${key}: ${steps.join(' | ')}`).toMatch(/USING (COVERING )?INDEX|PRIMARY KEY/);
        }
      }
    } finally {
      s.close();
    }
  });
});
