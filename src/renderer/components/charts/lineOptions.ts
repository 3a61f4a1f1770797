// Option builders for the line charts, kept pure so tests can check what a chart will show.
import type { EChartsCoreOption } from 'echarts/core';
import type { MetricSeries } from '../../../shared/dto';
import { bestOf, joinedSeries, metricGoal } from '../../lib/metrics';
import { epochAxes } from './epochAxes';

const splitColors = { train: '#8d99a6', validation: '#4e79a7', test: '#59a14f' } as const;

export interface CurveSummary {
  best: { epoch: number; value: number } | null;
  finetuneFrom: number | null;
  /** validation epochs drawn (train + fine-tune) */
  epochs: number;
}

/** Train vs validation curves of one metric for one run, the best validation epoch marked. */
export function runCurveOption(
  metrics: MetricSeries[],
  name: string,
): { option: EChartsCoreOption; summary: CurveSummary } {
  const goal = metricGoal(name);
  const train = joinedSeries(metrics, 'train', name);
  const val = joinedSeries(metrics, 'validation', name);
  const best = bestOf(val.epochs, val.values, goal);
  const finetuneFrom = train.finetuneFrom ?? val.finetuneFrom;
  const isRate = name !== 'loss';
  const series = [
    {
      name: 'train',
      type: 'line',
      showSymbol: train.epochs.length < 30,
      symbolSize: 4,
      lineStyle: { width: 1.5, type: 'dashed' },
      itemStyle: { color: splitColors.train },
      data: train.epochs.map((e, i) => [e, train.values[i]]),
    },
    {
      name: 'validation',
      type: 'line',
      showSymbol: val.epochs.length < 30,
      symbolSize: 5,
      lineStyle: { width: 2 },
      itemStyle: { color: splitColors.validation },
      data: val.epochs.map((e, i) => [e, val.values[i]]),
      markPoint: best
        ? {
            symbol: 'pin',
            symbolSize: 34,
            label: { fontSize: 9, formatter: `best\n${best.epoch}` },
            data: [{ name: 'best', coord: [best.epoch, best.value], value: best.value }],
          }
        : undefined,
      markLine:
        finetuneFrom !== null
          ? {
              silent: true,
              symbol: 'none',
              lineStyle: { type: 'dotted', color: '#e15759' },
              label: { formatter: 'pruned → fine-tune', fontSize: 9 },
              data: [{ xAxis: finetuneFrom - 0.5 }],
            }
          : undefined,
    },
  ];
  return {
    option: {
      animation: false,
      grid: { left: 44, right: 16, top: 30, bottom: 30 },
      legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 8 },
      ...epochAxes(isRate),
      series,
    },
    summary: { best, finetuneFrom, epochs: val.epochs.length },
  };
}
