import { describe, expect, it } from 'vitest';
import { payloads } from '../../src/shared/api';
import { pruneConfig } from '../../src/shared/schemas';
import { defaultLrScale } from '../../src/shared/scheduleRule';
import { expandSweep } from '../../src/main/services/sweep';
import { diffConfigs } from '../../src/main/services/configDiff';

describe('expandSweep', () => {
  const request = payloads['runs.sweep'].parse({
    name: 'grid',
    datasetId: 'ds',
    train: { epochs: 3 },
    criteria: ['taylor', 'magnitude'],
    sparsities: [0.5, 0.9],
    seeds: [1, 2],
    schedules: [{ kind: 'oneshot' }, { kind: 'iterative', rounds: 3 }],
  });

  it('plans one dense parent per seed and criteria × sparsities × schedules children for each', () => {
    const plan = expandSweep(request);
    expect(plan.parents.map((p) => p.seed)).toEqual([1, 2]);
    expect(plan.parents.every((p) => p.config.prune === undefined)).toBe(true);
    expect(plan.parents.map((p) => p.config.train.seed)).toEqual([1, 2]);
    expect(plan.children).toHaveLength(2 * 2 * 2 * 2);
    for (const child of plan.children) {
      const parent = plan.parents[child.parentIndex]!;
      expect(child.config.train).toEqual(parent.config.train);
      expect(child.config.train.epochs).toBe(3);
    }
    const combos = plan.children.map(
      (c) =>
        `${c.config.train.seed}/${c.config.prune!.criterion}/${c.config.prune!.target.value}/${c.config.prune!.schedule.kind}`,
    );
    expect(new Set(combos).size).toBe(16);
    expect(plan.children.filter((c) => c.parentIndex === 0)).toHaveLength(8);
  });

  it('keeps the shared prune settings and gives every run a readable name', () => {
    const plan = expandSweep(request);
    const first = plan.children[0]!;
    expect(first.config.prune!.finetuneEpochs).toBe(2);
    expect(first.config.prune!.target).toEqual({ kind: 'sparsity', value: 0.5 });
    expect(first.name).toBe('grid · taylor 50% oneshot · seed 1');
    expect(plan.parents[1]!.name).toBe('grid · dense · seed 2');
  });

  it("gives every cell a scoring its own criterion and schedule can run, keeping the request's where it fits", () => {
    // the prune left scoring out: resolved for taylor + gradual (accumulated), which magnitude and oneshot lack
    const grid = payloads['runs.sweep'].parse({
      name: 'auto',
      datasetId: 'ds',
      prune: { criterion: 'taylor', schedule: { kind: 'gradual' } },
      criteria: ['taylor', 'magnitude'],
      sparsities: [0.9],
      seeds: [1],
      schedules: [{ kind: 'gradual' }, { kind: 'oneshot' }],
    });
    expect(grid.prune.scoring).toBe('accumulated');
    const plan = expandSweep(grid);
    expect(plan.children.map((c) => [c.name, c.config.prune!.scoring])).toEqual([
      ['auto · taylor 90% gradual · seed 1', 'accumulated'],
      ['auto · taylor 90% oneshot · seed 1', 'calibration'],
      ['auto · magnitude 90% gradual · seed 1', 'calibration'],
      ['auto · magnitude 90% oneshot · seed 1', 'calibration'],
    ]);
    // every cell is a config the API itself accepts as it is
    for (const child of plan.children)
      expect(pruneConfig.parse(child.config.prune)).toEqual(child.config.prune);
    // a scoring the request chose that fits a cell stays
    const calibrated = expandSweep({ ...grid, prune: { ...grid.prune, scoring: 'calibration' } });
    expect(calibrated.children.every((c) => c.config.prune!.scoring === 'calibration')).toBe(true);
  });

  it('gives every cell the learning rate for its own schedule, unless the request named one', () => {
    const grid = payloads['runs.sweep'].parse({
      name: 'lr',
      datasetId: 'ds',
      criteria: ['taylor'],
      sparsities: [0.9, 0.98],
      seeds: [1],
      schedules: [{ kind: 'gradual' }, { kind: 'oneshot' }],
    });
    // left out, it stays out of the shared settings: the request's own schedule says nothing about a cell's
    expect(grid.prune.finetuneLrSchedule).toBeUndefined();
    const plan = expandSweep(grid);
    expect(plan.children.map((c) => [c.name, c.config.prune!.finetuneLrSchedule])).toEqual([
      ['lr · taylor 90% gradual · seed 1', 'cosine'],
      ['lr · taylor 90% oneshot · seed 1', 'constant'],
      ['lr · taylor 98% gradual · seed 1', 'cosine'],
      ['lr · taylor 98% oneshot · seed 1', 'constant'],
    ]);
    expect(grid.prune.finetuneLrScale).toBeUndefined();
    for (const child of plan.children) {
      const prune = child.config.prune!;
      expect(prune.finetuneLrScale).toBe(defaultLrScale({ schedule: prune.schedule }));
    }
    expect(new Set(plan.children.map((c) => c.config.prune!.finetuneLrScale)).size).toBe(2);
    const scaled = expandSweep({ ...grid, prune: { ...grid.prune, finetuneLrScale: 1 } });
    expect(scaled.children.every((c) => c.config.prune!.finetuneLrScale === 1)).toBe(true);
    for (const child of plan.children)
      expect(pruneConfig.parse(child.config.prune)).toEqual(child.config.prune);
    const named = expandSweep({ ...grid, prune: { ...grid.prune, finetuneLrSchedule: 'step' } });
    expect(named.children.every((c) => c.config.prune!.finetuneLrSchedule === 'step')).toBe(true);
  });

  it('names a gradual schedule by the steps it was given', () => {
    const plan = expandSweep({
      ...request,
      criteria: ['taylor'],
      sparsities: [0.8],
      seeds: [1],
      schedules: [{ kind: 'gradual', endStep: 300 }],
    });
    expect(plan.children[0]!.name).toBe('grid · taylor 80% gradual:auto-300/auto · seed 1');
  });

  it('does not duplicate runs for repeated seeds or criteria', () => {
    const plan = expandSweep({
      ...request,
      seeds: [7, 7],
      criteria: ['random', 'random'],
      sparsities: [0.8],
      schedules: [{ kind: 'oneshot' }],
    });
    expect(plan.parents).toHaveLength(1);
    expect(plan.children).toHaveLength(1);
  });
});

describe('diffConfigs', () => {
  it('lists only the dotted paths whose values differ, one value per run', () => {
    const a = { datasetId: 'd', train: { seed: 1, epochs: 2 }, prune: { criterion: 'taylor' } };
    const b = { datasetId: 'd', train: { seed: 2, epochs: 2 } };
    expect(diffConfigs([a, b])).toEqual([
      { path: 'prune.criterion', values: ['"taylor"', '—'] },
      { path: 'train.seed', values: ['1', '2'] },
    ]);
    expect(diffConfigs([a, a])).toEqual([]);
  });
});
