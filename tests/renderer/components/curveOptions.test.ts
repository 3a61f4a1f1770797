// What a run's curve chart will draw, read off the ECharts option: the axis fits the epochs (no empty
// epoch 0, a single epoch in the middle), the best marker has room and never sits under the legend,
// and labels carry no halo in either theme.
import { describe, expect, it } from 'vitest';
import { runCurveOption } from '../../../src/renderer/components/charts/lineOptions';
import { makeRun } from '../fixtures';

interface Axis {
  min: number;
  max: number;
  axisLabel: { formatter: (v: number) => string };
}
interface Option {
  grid: { top: number };
  legend: { top: number; data: string[] };
  xAxis: Axis;
  yAxis: {
    min: (v: { min: number; max: number }) => number;
    max: (v: { min: number; max: number }) => number;
  };
  series: {
    name: string;
    symbol?: string;
    label?: { textBorderWidth?: number };
    markPoint?: { symbol: string; label: { position: string; align: string; textBorderWidth: number } };
    markLine?: { label: { textBorderWidth?: number } };
  }[];
}

const optionOf = (
  run: ReturnType<typeof makeRun>,
  parent: ReturnType<typeof makeRun> | null = null,
  name = 'accuracy',
) => runCurveOption(run, parent, name).option as unknown as Option;

describe('run curve chart', () => {
  it('spans the epochs with half an epoch either side: no empty epoch 0, one epoch centred', () => {
    const dense = optionOf(makeRun({ id: 'd', epochs: 5 }));
    expect([dense.xAxis.min, dense.xAxis.max]).toEqual([0.5, 5.5]);
    expect(dense.xAxis.axisLabel.formatter(0)).toBe('');
    expect(dense.xAxis.axisLabel.formatter(0.5)).toBe('');
    expect(dense.xAxis.axisLabel.formatter(3)).toBe('3');
    const one = optionOf(makeRun({ id: 'o', epochs: 1 }));
    expect([one.xAxis.min, one.xAxis.max]).toEqual([0.5, 1.5]);
  });

  it("labels the dense parent's epochs by their own numbers, faded, up to the divider", () => {
    const parent = makeRun({ id: 'p', epochs: 8 });
    const child = makeRun({
      id: 'c',
      parentRunId: 'p',
      pruned: { criterion: 'taylor', sparsity: 0.8, finetune: 3 },
    });
    const option = optionOf(child, parent);
    expect([option.xAxis.min, option.xAxis.max]).toEqual([-7.5, 3.5]);
    expect(option.xAxis.axisLabel.formatter(-7)).toBe('{parent|1}');
    expect(option.xAxis.axisLabel.formatter(0)).toBe('{parent|8}');
    expect(option.xAxis.axisLabel.formatter(2)).toBe('2');
    expect(option.legend.data).toEqual(['train', 'validation', 'after pruning (test)', 'dense parent']);
  });

  it('keeps the best marker inside the plot, clear of the legend, its text toward the middle', () => {
    const option = optionOf(makeRun({ id: 'd', epochs: 6 }));
    const validation = option.series.find((s) => s.name === 'validation')!;
    // a small ring, not a 34 px pin that the grid's top edge would cut
    expect(validation.markPoint!.symbol).toBe('circle');
    // the legend sits above the grid; the axis leaves room above the best value for its label
    expect(option.grid.top).toBeGreaterThanOrEqual(30);
    expect(option.legend.top).toBe(0);
    expect(option.yAxis.max({ min: 0.5, max: 0.9 })).toBeGreaterThan(0.95);
    expect(validation.markPoint!.label.position).toBe('top');
    // the best epoch here is the last: its text runs leftwards, into the plot
    expect(validation.markPoint!.label.align).toBe('right');
    const loss = optionOf(makeRun({ id: 'd', epochs: 6 }), null, 'loss');
    expect(loss.series.find((s) => s.name === 'validation')!.markPoint!.label.position).toBe('bottom');
    expect(loss.yAxis.min({ min: 0.3, max: 1.5 })).toBeLessThan(0.1);
  });

  it('draws no halo: filled points, labels without a text border', () => {
    const parent = makeRun({ id: 'p', epochs: 4 });
    const child = makeRun({
      id: 'c',
      parentRunId: 'p',
      pruned: { criterion: 'taylor', sparsity: 0.8, steps: 2, finetune: 1 },
    });
    const option = optionOf(child, parent);
    for (const name of ['train', 'validation'])
      expect(option.series.find((s) => s.name === name)!.symbol).toBe('circle');
    const validation = option.series.find((s) => s.name === 'validation')!;
    expect(validation.markPoint!.label.textBorderWidth).toBe(0);
    expect(validation.markLine!.label.textBorderWidth).toBe(0);
    expect(option.series.find((s) => s.name === 'after pruning (test)')!.label!.textBorderWidth).toBe(0);
  });
});
