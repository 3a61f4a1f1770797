// Option builders for Compare's charts: overlaid curves and accuracy-vs-cost scatters with the Pareto front.
import type { EChartsCoreOption } from 'echarts/core';
import type { MetricSplit, RunDetail } from '../../../shared/dto';
import { joinedSeries } from '../../lib/metrics';
import { escapeHtml } from '../../lib/html';
import { paretoFront, type ParetoPoint } from '../../lib/pareto';
import { epochAxes } from './epochAxes';

export function overlayOption(
  runs: RunDetail[],
  colors: Map<string, string>,
  split: MetricSplit,
  name: string,
): EChartsCoreOption {
  const isRate = name !== 'loss';
  return {
    animation: false,
    grid: { left: 48, right: 16, top: 16, bottom: 30 },
    ...epochAxes(isRate),
    series: runs.map((r) => {
      const s = joinedSeries(r.metrics, split, name);
      return {
        name: r.name,
        type: 'line',
        // short series need their points: a one-epoch fine-tune is a single dot
        showSymbol: s.epochs.length <= 30,
        symbolSize: 5,
        sampling: 'lttb',
        lineStyle: { width: 1.75 },
        itemStyle: { color: colors.get(r.id) },
        data: s.epochs.map((e, i) => [e, s.values[i]]),
      };
    }),
  };
}

export interface ScatterSpec {
  xName: string;
  x: (r: RunDetail) => number | null;
  xBetter: 'higher' | 'lower';
  xFormat: (v: number) => string;
  /** fixed axis range, e.g. [0, 1] for sparsity */
  xRange?: [number, number];
}

export function scatterOption(
  runs: RunDetail[],
  colors: Map<string, string>,
  spec: ScatterSpec,
): { option: EChartsCoreOption; front: string[]; missing: string[] } {
  const points: (ParetoPoint & { name: string })[] = [];
  const missing: string[] = [];
  for (const r of runs) {
    const x = spec.x(r);
    const y = r.testAccuracy;
    if (x === null || y === null) missing.push(r.name);
    else points.push({ id: r.id, name: r.name, x, y });
  }
  const front = paretoFront(points, spec.xBetter);
  const frontIds = new Set(front.map((p) => p.id));
  return {
    front: front.map((p) => p.id),
    missing,
    option: {
      animation: false,
      grid: { left: 48, right: 20, top: 16, bottom: 34 },
      tooltip: {
        trigger: 'item',
        // An HTML formatter: every piece of text is escaped (run names carry dataset folder names).
        formatter: (p: { data: { name: string; value: [number, number] } }) =>
          [
            p.data.name,
            `${spec.xName}: ${spec.xFormat(p.data.value[0])}`,
            `test accuracy: ${(p.data.value[1] * 100).toFixed(2)}%`,
          ]
            .map(escapeHtml)
            .join('<br/>'),
      },
      xAxis: {
        type: 'value',
        name: spec.xName,
        nameLocation: 'middle',
        nameGap: 22,
        scale: true,
        ...(spec.xRange ? { min: spec.xRange[0], max: spec.xRange[1] } : {}),
        axisLabel: { formatter: spec.xFormat },
      },
      yAxis: {
        type: 'value',
        scale: true,
        axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` },
      },
      series: [
        {
          name: 'Pareto front',
          type: 'line',
          step: false,
          symbol: 'none',
          lineStyle: { type: 'dashed', width: 1.5, color: '#8d99a6' },
          data: front.map((p) => [p.x, p.y]),
          z: 1,
        },
        {
          name: 'runs',
          type: 'scatter',
          z: 2,
          data: points.map((p) => ({
            name: p.name,
            value: [p.x, p.y],
            symbolSize: frontIds.has(p.id) ? 14 : 9,
            itemStyle: {
              color: colors.get(p.id),
              borderColor: frontIds.has(p.id) ? '#1d232b' : 'transparent',
              borderWidth: 1.5,
            },
          })),
        },
      ],
    },
  };
}
