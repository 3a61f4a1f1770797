// Option builders for a run's line charts, kept pure so tests can check what a chart will show.
import type { EChartsCoreOption } from 'echarts/core';
import type { MetricBest, RunDetail } from '../../../shared/dto';
import { curveParts, epochLabel, isLowerBetter, type CurveParts, type Points } from '../../lib/metrics';
import { epochAxes, fadedLabel, formatMetric, headroom } from './epochAxes';

export const curveColors = {
  train: '#8d99a6',
  validation: '#4e79a7',
  drop: '#e15759',
} as const;

export interface CurveSummary {
  best: MetricBest | null;
  /** the run's own validation epochs drawn */
  epochs: number;
  /** inherited (dense parent) epochs drawn faded before the divider */
  inheritedEpochs: number;
  /** after-prune points drawn */
  drops: number;
}

type RunPart = Pick<RunDetail, 'metrics' | 'pruneSteps' | 'kind'>;

const pairs = (p: Points) => p.x.map((x, i) => [x, p.values[i]]);

/** Smallest and largest x over every part of every given curve (0 when nothing is drawn). */
export function xExtent(parts: CurveParts[]): { min: number; max: number } {
  const xs = parts.flatMap((p) => [...p.own.x, ...p.inherited.x, ...p.drops.map((d) => d.x)]);
  return xs.length ? { min: Math.min(...xs), max: Math.max(...xs) } : { min: 1, max: 1 };
}

/** A faded copy of a curve: what the dense parent trained before this run pruned. */
export function inheritedSeries(name: string, points: Points, color: string, dashed: boolean) {
  return {
    name,
    type: 'line',
    symbol: 'circle',
    showSymbol: false,
    lineStyle: { width: 1.5, type: dashed ? 'dashed' : 'solid', opacity: 0.35 },
    itemStyle: { color, opacity: 0.35 },
    emphasis: { disabled: true },
    data: pairs(points),
    z: 1,
  };
}

/** The after-prune points: ▼ where accuracy fell (▲ where a loss rose), each joined to the curve it left. */
export function dropSeries(name: string, parts: CurveParts, color: string, isRate: boolean) {
  const lower = !isRate;
  return {
    name,
    type: 'line',
    symbol: 'triangle',
    symbolRotate: lower ? 0 : 180,
    symbolSize: 10,
    showSymbol: true,
    lineStyle: { opacity: 0 },
    itemStyle: { color },
    label: {
      show: parts.drops.length <= 6,
      position: lower ? 'top' : 'bottom',
      color,
      fontSize: 10,
      textBorderWidth: 0,
      formatter: (p: { value: [number, number] }) =>
        isRate ? `${(p.value[1] * 100).toFixed(1)}%` : p.value[1].toFixed(3),
    },
    data: parts.drops.map((d) => [d.x, d.value]),
    markLine: {
      silent: true,
      symbol: 'none',
      lineStyle: { type: 'dotted', color, width: 1.5 },
      label: { show: false },
      data: parts.drops
        .filter((d) => d.before !== null)
        .map((d) => [{ coord: [d.x, d.before] }, { coord: [d.x, d.value] }]),
    },
    z: 4,
  };
}

/**
 * Where the divider's "pruned" label goes: the end of the line away from the best marker's label (which
 * sits above an accuracy's best, below a loss's), so the two never overlap.
 */
export const dividerLabelPosition = (lowerIsBetter: boolean) =>
  lowerIsBetter ? 'insideEndTop' : 'insideStartTop';

/** The dotted line where pruning starts (x = 0), and the faded band of inherited epochs before it. */
export function dividerMarks(parts: CurveParts, extentMin: number, lowerIsBetter: boolean) {
  if (parts.dividerAt === null) return {};
  return {
    markLine: {
      silent: true,
      symbol: 'none',
      lineStyle: { type: 'dotted', color: curveColors.drop },
      label: {
        formatter: 'pruned',
        position: dividerLabelPosition(lowerIsBetter),
        color: curveColors.drop,
        fontSize: 10,
        textBorderWidth: 0,
      },
      data: [{ xAxis: parts.dividerAt }],
    },
    markArea: parts.inherited.x.length
      ? {
          silent: true,
          itemStyle: { color: 'rgba(141, 153, 166, 0.08)' },
          label: {
            formatter: 'dense parent',
            position: 'insideTopLeft',
            color: fadedLabel,
            fontSize: 10,
            textBorderWidth: 0,
          },
          data: [[{ xAxis: extentMin - 0.5 }, { xAxis: parts.dividerAt }]],
        }
      : undefined,
  };
}

/**
 * The best validation epoch: a ring on the point and its value next to it, inside the plot (the y axis
 * leaves room above or below; near the right edge the text runs leftwards so it is never cut off).
 */
function bestMark(
  best: MetricBest | null,
  isRate: boolean,
  lowerIsBetter: boolean,
  extent: { min: number; max: number },
) {
  if (!best) return undefined;
  const nearRight = best.epoch > extent.min + (extent.max - extent.min) * 0.6;
  return {
    symbol: 'circle',
    symbolSize: 11,
    itemStyle: { color: 'transparent', borderColor: curveColors.validation, borderWidth: 2 },
    label: {
      show: true,
      position: lowerIsBetter ? 'bottom' : 'top',
      align: nearRight ? 'right' : 'left',
      distance: 6,
      formatter: `best ${formatMetric(isRate, best.value)}`,
      color: curveColors.validation,
      fontSize: 10,
      fontWeight: 600,
      textBorderWidth: 0,
    },
    data: [{ name: 'best', coord: [best.epoch, best.value], value: best.value }],
  };
}

/**
 * Train vs validation curves of one metric for one run: a prune run's dense parent faded before the
 * divider, every prune step's after-prune point, and the run's best validation epoch marked.
 */
export function runCurveOption(
  run: RunPart,
  parent: Pick<RunDetail, 'metrics'> | null | undefined,
  name: string,
): { option: EChartsCoreOption; summary: CurveSummary } {
  const lower = isLowerBetter(name);
  const isRate = name !== 'loss';
  const train = curveParts(run, parent, 'train', name);
  const val = curveParts(run, parent, 'validation', name);
  const extent = xExtent([train, val]);
  const series: Record<string, unknown>[] = [];
  if (val.inherited.x.length || train.inherited.x.length) {
    series.push(inheritedSeries('dense parent', train.inherited, curveColors.train, true));
    series.push(inheritedSeries('dense parent', val.inherited, curveColors.validation, false));
  }
  series.push({
    name: 'train',
    type: 'line',
    symbol: 'circle',
    showSymbol: train.own.x.length < 30,
    symbolSize: 4,
    lineStyle: { width: 1.5, type: 'dashed' },
    itemStyle: { color: curveColors.train },
    data: pairs(train.own),
    z: 2,
  });
  series.push({
    name: 'validation',
    type: 'line',
    symbol: 'circle',
    showSymbol: val.own.x.length < 30,
    symbolSize: 5,
    lineStyle: { width: 2 },
    itemStyle: { color: curveColors.validation },
    data: pairs(val.own),
    markPoint: bestMark(val.best, isRate, lower, extent),
    ...dividerMarks(val, extent.min, lower),
    z: 3,
  });
  if (val.drops.length) series.push(dropSeries('after pruning (test)', val, curveColors.drop, isRate));
  return {
    option: {
      animation: false,
      grid: { left: 48, right: 16, top: 34, bottom: 32 },
      legend: {
        top: 0,
        left: 0,
        itemWidth: 14,
        itemHeight: 8,
        data: [
          'train',
          'validation',
          ...(val.drops.length ? ['after pruning (test)'] : []),
          ...(val.inherited.x.length ? ['dense parent'] : []),
        ],
      },
      ...axesWithHeadroom(isRate, lower, extent, val.inheritedEpochs, (e) => epochLabel(run, e)),
      series,
    },
    summary: {
      best: val.best,
      epochs: val.own.x.length,
      inheritedEpochs: val.inherited.x.length,
      drops: val.drops.length,
    },
  };
}

export function axesWithHeadroom(
  isRate: boolean,
  lower: boolean,
  extent: { min: number; max: number },
  inheritedEpochs: number,
  ownEpoch: (epoch: number) => string,
) {
  const axes = epochAxes(isRate, { ...extent, inheritedEpochs, ownEpoch });
  return { ...axes, yAxis: { ...axes.yAxis, ...headroom(lower) } };
}
