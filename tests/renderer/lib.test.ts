// Pure helpers behind the views: each could quietly lie on screen, so each is pinned here.
import { describe, expect, it } from 'vitest';
import { paretoFront } from '../../src/renderer/lib/pareto';
import { base64ToBytes, maskBit, maskToRgba, packMask } from '../../src/renderer/lib/maskBitmap';
import {
  meanSpread,
  parseFractions,
  parseSeeds,
  sweepGroups,
  sweepSize,
} from '../../src/renderer/lib/sweeps';
import { configRows, flattenConfig } from '../../src/renderer/lib/configDiff';
import { assignRunColors, runPalette } from '../../src/renderer/lib/runColors';
import { filterRuns, sortRuns } from '../../src/renderer/lib/runTable';
import { parseHash, routeHref, type Route } from '../../src/renderer/router';
import { classBalance } from '../../src/renderer/lib/imbalance';
import { curveParts } from '../../src/renderer/lib/metrics';
import { bytes, duration, percent } from '../../src/renderer/lib/format';
import { childrenOf, groupByParent } from '../../src/renderer/lib/lineage';
import { canFold, cellSize, foldByKernel, foldedToRgba, MIN_CELL_PX } from '../../src/renderer/lib/maskFold';
import { makeRun } from './fixtures';

describe('paretoFront', () => {
  const pts = [
    { id: 'a', x: 0.5, y: 0.9 },
    { id: 'b', x: 0.8, y: 0.88 },
    { id: 'c', x: 0.8, y: 0.7 }, // dominated by b
    { id: 'd', x: 0.9, y: 0.6 },
    { id: 'e', x: 0.4, y: 0.85 }, // dominated by a
  ];
  it('keeps points no other point beats on both axes (higher x better)', () => {
    expect(paretoFront(pts, 'higher').map((p) => p.id)).toEqual(['a', 'b', 'd']);
  });
  it('flips the x direction for sizes (smaller is better)', () => {
    expect(paretoFront(pts, 'lower').map((p) => p.id)).toEqual(['e', 'a']);
  });
  it('ignores non-finite points', () => {
    expect(
      paretoFront(
        [
          { id: 'x', x: NaN, y: 1 },
          { id: 'y', x: 1, y: 0.5 },
        ],
        'higher',
      ).map((p) => p.id),
    ).toEqual(['y']);
  });
});

describe('mask bitmaps', () => {
  it('packs MSB first and decodes back', () => {
    const m = packMask(3, 5, (i) => i % 3 === 0);
    const bits = base64ToBytes(m.bitsBase64);
    for (let i = 0; i < 15; i++) expect(maskBit(bits, i)).toBe(i % 3 === 0);
    expect(bits[0]).toBe(0b10010010);
  });
  it('turns a mask into one RGBA pixel per weight and counts kept', () => {
    const m = packMask(2, 3, (i) => i === 0 || i === 4);
    const { pixels, kept } = maskToRgba(m, [1, 2, 3, 255], [9, 9, 9, 255]);
    expect(kept).toBe(2);
    expect(pixels.length).toBe(6 * 4);
    expect([...pixels.slice(0, 4)]).toEqual([1, 2, 3, 255]);
    expect([...pixels.slice(4, 8)]).toEqual([9, 9, 9, 255]);
    expect([...pixels.slice(16, 20)]).toEqual([1, 2, 3, 255]);
  });
});

describe('sweeps', () => {
  it('counts criteria × sparsities × seeds', () => expect(sweepSize(3, 4, 5)).toBe(60));
  it('parses fractions and percentages, dropping repeats', () => {
    expect(parseFractions('0.5, 80% 0.5;0.9')).toEqual({ values: [0.5, 0.8, 0.9] });
    expect(parseFractions('0.5, 1.2')).toEqual({
      error: '"1.2" is not a sparsity: a fraction in [0, 1) such as 0.9, or a percentage with % such as 90%',
    });
    expect(parseFractions('0.5, 100%')).toHaveProperty('error');
    expect(parseFractions('90')).toHaveProperty('error');
  });
  it('parses seeds and short ranges', () => {
    expect(parseSeeds('1-3, 7')).toEqual({ values: [1, 2, 3, 7] });
    expect(parseSeeds('1.5')).toHaveProperty('error');
    expect(parseSeeds('0-50')).toHaveProperty('error');
  });
  it('summarises mean ± sample standard deviation', () => {
    const m = meanSpread([0.8, 0.9, 1.0])!;
    expect(m.mean).toBeCloseTo(0.9, 10);
    expect(m.spread).toBeCloseTo(0.1, 10);
    expect(meanSpread([])).toBeNull();
  });
  it('groups a sweep’s runs that differ only by seed', () => {
    const runs = [1, 2, 3].map((seed) =>
      makeRun({ id: `t${seed}`, seed, sweepId: 'sw', pruned: { criterion: 'taylor', sparsity: 0.8 } }),
    );
    runs.push(
      makeRun({ id: 'm1', seed: 1, sweepId: 'sw', pruned: { criterion: 'magnitude', sparsity: 0.8 } }),
    );
    runs.push(
      makeRun({ id: 'm2', seed: 2, sweepId: 'sw', pruned: { criterion: 'magnitude', sparsity: 0.8 } }),
    );
    runs.push(makeRun({ id: 'lone', seed: 1, pruned: { criterion: 'taylor', sparsity: 0.8 } }));
    const groups = sweepGroups(runs);
    expect(groups.map((g) => g.runIds.length).sort()).toEqual([2, 3]);
    const taylor = groups.find((g) => g.label.startsWith('taylor'))!;
    expect(taylor.runIds).toEqual(['t1', 't2', 't3']);
    expect(taylor.accuracy!.n).toBe(3);
  });
});

describe('config diff', () => {
  it('flattens to dotted paths and marks differing rows', () => {
    expect(flattenConfig({ a: { b: 1, c: [1, 2] } })).toEqual({ 'a.b': '1', 'a.c': '[1,2]' });
    const a = makeRun({ id: 'a', seed: 1, pruned: { criterion: 'taylor', sparsity: 0.8 } }).config;
    const b = makeRun({ id: 'b', seed: 1, pruned: { criterion: 'random', sparsity: 0.8 } }).config;
    const rows = configRows([a, b]);
    expect(rows.filter((r) => r.differs).map((r) => r.path)).toEqual(['prune.criterion']);
    const dense = makeRun({ id: 'd', seed: 1 }).config;
    expect(configRows([a, dense]).find((r) => r.path === 'prune.criterion')!.values).toEqual([
      '"taylor"',
      '—',
    ]);
  });
});

describe('run colours', () => {
  it('gives ten runs ten distinct palette colours, the same ones whatever the order', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `run-${i}`);
    const colors = assignRunColors(ids);
    expect(new Set(colors.values()).size).toBe(10);
    for (const c of colors.values()) expect(runPalette).toContain(c);
    expect(assignRunColors(['run-3', 'run-7']).get('run-3')).toBe(
      assignRunColors(['run-3', 'run-1']).get('run-3'),
    );
  });
});

describe('run table', () => {
  const runs = [
    makeRun({ id: 'a', seed: 1 }),
    makeRun({ id: 'b', seed: 2, pruned: { criterion: 'random', sparsity: 0.9 } }),
    {
      ...makeRun({ id: 'c', seed: 3, pruned: { criterion: 'taylor', sparsity: 0.5 }, status: 'failed' }),
      testAccuracy: null,
    },
  ];
  it('sorts by a metric with missing values last in both directions', () => {
    expect(sortRuns(runs, 'testAccuracy', 'desc').map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(sortRuns(runs, 'testAccuracy', 'asc').map((r) => r.id)).toEqual(['b', 'a', 'c']);
  });
  it('filters by criterion, dense and status', () => {
    const f = { datasetId: '', criterion: '', status: '', text: '' } as const;
    expect(filterRuns(runs, { ...f, criterion: 'random' }).map((r) => r.id)).toEqual(['b']);
    expect(filterRuns(runs, { ...f, criterion: 'dense' }).map((r) => r.id)).toEqual(['a']);
    expect(filterRuns(runs, { ...f, status: 'failed' }).map((r) => r.id)).toEqual(['c']);
  });
});

describe('router', () => {
  it('round-trips every route through the hash', () => {
    const routes = [
      { name: 'datasets', id: null },
      { name: 'datasets', id: 'ds-1' },
      { name: 'new', datasetId: 'ds-1', parentRunId: 'r-9' },
      { name: 'runs' },
      { name: 'run', id: 'r-1' },
      { name: 'compare', ids: ['a', 'b', 'c'] },
    ] satisfies Route[];
    for (const r of routes) expect(parseHash(routeHref(r))).toEqual(r);
  });
  it('falls back to datasets for anything unknown', () =>
    expect(parseHash('#/nope')).toEqual({ name: 'datasets', id: null }));
});

describe('class balance', () => {
  it('flags classes under half the median', () => {
    const rows = classBalance([
      { name: 'a', count: 100, train: 0, validation: 0, test: 0 },
      { name: 'b', count: 90, train: 0, validation: 0, test: 0 },
      { name: 'c', count: 40, train: 0, validation: 0, test: 0 },
    ]);
    expect(rows.map((r) => r.underrepresented)).toEqual([false, false, true]);
    expect(rows[2]!.share).toBeCloseTo(0.4);
  });
});

describe('curve parts', () => {
  const dense = makeRun({ id: 'p', epochs: 8 });
  // the parent peaked at 99% in epoch 4: better than anything the prune run does itself
  const parent = {
    ...dense,
    metrics: dense.metrics.map((m) =>
      m.split === 'validation' && m.name === 'accuracy'
        ? { ...m, values: m.values.map((v, i) => (i === 3 ? 0.99 : v)) }
        : m,
    ),
  };
  const child = makeRun({
    id: 'c',
    parentRunId: 'p',
    pruned: { criterion: 'taylor', sparsity: 0.9, steps: 3, finetune: 2 },
  });

  it("puts a prune run's own epochs at 1…n and its parent's at x ≤ 0, ending where pruning starts", () => {
    const parts = curveParts(child, parent, 'validation', 'accuracy');
    expect(parts.own.x).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parts.inherited.x).toEqual([-7, -6, -5, -4, -3, -2, -1, 0]);
    expect(parts.inheritedEpochs).toBe(8);
    expect(parts.dividerAt).toBe(0);
    // the parent's values are there to see, but best is over the run's own epochs only
    expect(parts.best?.value).toBe(Math.max(...parts.own.values));
    expect(Math.max(...parts.inherited.values)).toBe(0.99);
  });

  it('places every prune step’s after-prune point where it pruned, hanging from the curve it left', () => {
    const parts = curveParts(child, parent, 'validation', 'accuracy');
    expect(parts.drops.map((d) => d.x)).toEqual([0, 2, 4]);
    expect(parts.drops.map((d) => d.value)).toEqual(child.pruneSteps.map((s) => s.afterPrune!.accuracy));
    // one-shot's drop starts at the parent's last epoch; later rounds at the fine-tune epoch before them
    expect(parts.drops[0]!.before).toBe(parts.inherited.values.at(-1));
    expect(parts.drops[1]!.before).toBe(parts.own.values[1]);
    expect(curveParts(child, parent, 'validation', 'loss').drops.map((d) => d.value)).toEqual(
      child.pruneSteps.map((s) => s.afterPrune!.loss),
    );
  });

  it('draws a dense run on its own, and steps recorded before the measure without a drop', () => {
    const dense = curveParts(parent, null, 'validation', 'accuracy');
    expect([dense.inherited.x, dense.dividerAt, dense.drops]).toEqual([[], null, []]);
    const old = { ...child, pruneSteps: child.pruneSteps.map(({ afterPrune: _a, atEpoch: _e, ...s }) => s) };
    expect(curveParts(old, parent, 'validation', 'accuracy').drops).toEqual([]);
  });
});

describe('lineage', () => {
  const dense = makeRun({ id: 'd', seed: 1 });
  const other = makeRun({ id: 'o', seed: 2 });
  const a = {
    ...makeRun({ id: 'a', seed: 3, parentRunId: 'd', pruned: { criterion: 'taylor', sparsity: 0.5 } }),
    createdAt: '2026-11-29T09:00:00.000Z',
  };
  const b = {
    ...makeRun({ id: 'b', seed: 4, parentRunId: 'd', pruned: { criterion: 'random', sparsity: 0.5 } }),
    createdAt: '2026-11-29T08:00:00.000Z',
  };
  const orphan = makeRun({
    id: 'x',
    seed: 5,
    parentRunId: 'gone',
    pruned: { criterion: 'taylor', sparsity: 0.9 },
  });

  it('lists the runs made from a dense run, oldest first', () => {
    expect(childrenOf([dense, a, other, b], 'd').map((r) => r.id)).toEqual(['b', 'a']);
    expect(childrenOf([dense, a, b], 'o')).toEqual([]);
  });

  it('groups by parent, keeping the table order; a missing parent is named once', () => {
    const label = (rows: ReturnType<typeof groupByParent>) =>
      rows.map((r) => (r.kind === 'run' ? `${'  '.repeat(r.depth)}${r.run.id}` : `[${r.text}]`));
    // children sorted before their parent still sit under it
    expect(label(groupByParent([a, other, dense, b, orphan], [a, other, dense, b, orphan]))).toEqual([
      'd',
      '  a',
      '  b',
      'o',
      '[made from a deleted run]',
      '  x',
    ]);
    // a parent hidden by the filters is said, not dropped
    expect(label(groupByParent([a, b], [dense, a, b]))).toEqual([
      `[made from ${dense.name} (hidden by the filters)]`,
      '  a',
      '  b',
    ]);
  });
});

describe('mask folding', () => {
  it('folds a convolution into one cell per (unit, input), counting its kept kernel weights', () => {
    // 2 units × (2 inputs · 2×2 kernel): unit 0 keeps 3 of input 0 and none of input 1; unit 1 keeps all of input 1
    const kept = new Set([0, 1, 2, 12, 13, 14, 15]);
    const mask = { ...packMask(2, 8, (i) => kept.has(i)), kernel: [2, 2] as [number, number] };
    expect(canFold(mask)).toBe(true);
    const folded = foldByKernel(mask);
    expect([folded.rows, folded.cols, folded.perCell]).toEqual([2, 2, 4]);
    expect([...folded.kept]).toEqual([3, 0, 0, 4]);
    const px = foldedToRgba(folded, [0, 0, 200, 255], [200, 200, 200, 255]);
    expect([...px.slice(0, 4)]).toEqual([50, 50, 200, 255]);
    expect([...px.slice(12, 16)]).toEqual([0, 0, 200, 255]);
    // dense layers and masks recorded without a kernel size stay one cell per weight
    expect(canFold(packMask(2, 8, () => true))).toBe(false);
  });

  it('sizes cells to fill the width, never below the readable minimum', () => {
    expect(cellSize(64, 400, 1)).toBe(6.25);
    expect(cellSize(576, 400, 1)).toBe(MIN_CELL_PX);
    expect(cellSize(576, 400, 2)).toBe(MIN_CELL_PX * 2);
    expect(cellSize(4, 400, 1)).toBe(20);
  });
});

describe('format', () => {
  it('says — for missing values and uses binary units', () => {
    expect(percent(null)).toBe('—');
    expect(percent(0.8123)).toBe('81.2%');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(duration(125)).toBe('2m 05s');
  });
});
