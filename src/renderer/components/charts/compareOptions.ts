// Option builders for Compare's charts: overlaid curves and accuracy-vs-cost scatters with the Pareto front.
import type { EChartsCoreOption } from 'echarts/core';
import type { MetricSplit, RunDetail } from '../../../shared/dto';
import { escapeHtml } from '../../lib/html';
import { curveParts, isLowerBetter } from '../../lib/metrics';
import { paretoFront, type ParetoPoint } from '../../lib/pareto';
import { axesWithHeadroom, dividerLabelPosition, dropSeries, inheritedSeries, xExtent } from './lineOptions';

/**
 * Every run's own epochs at x = 1, 2, …; each dense parent a prune run started from drawn once, faded,
 * at x ≤ 0 before the divider; on validation curves, each prune step's after-prune point in its run's
 * colour. `parents` maps a parent run id to its detail (missing parents are simply not drawn).
 */
export function overlayOption(
  runs: RunDetail[],
  colors: Map<string, string>,
  split: MetricSplit,
  name: string,
  parents: Record<string, RunDetail> = {},
): EChartsCoreOption {
  const isRate = name !== 'loss';
  const parts = runs.map((r) => ({
    run: r,
    parent: r.parentRunId ? (parents[r.parentRunId] ?? null) : null,
    curve: curveParts(r, r.parentRunId ? parents[r.parentRunId] : null, split, name),
  }));
  const drawnParents = new Map<string, (typeof parts)[number]>();
  for (const p of parts) if (p.parent && !drawnParents.has(p.parent.id)) drawnParents.set(p.parent.id, p);
  const inheritedLengths = new Set([...drawnParents.values()].map((p) => p.curve.inheritedEpochs));
  const extent = xExtent(parts.map((p) => p.curve));
  const series: Record<string, unknown>[] = [];
  for (const p of drawnParents.values()) {
    series.push(
      inheritedSeries(
        `${p.parent!.name} (dense parent)`,
        p.curve.inherited,
        colors.get(p.run.id) ?? '#8d99a6',
        false,
      ),
    );
  }
  const anyPruned = parts.some((p) => p.curve.dividerAt !== null);
  parts.forEach((p, i) => {
    series.push({
      name: p.run.name,
      type: 'line',
      symbol: 'circle',
      // short series need their points: a one-epoch fine-tune is a single dot
      showSymbol: p.curve.own.x.length <= 30,
      symbolSize: 5,
      sampling: 'lttb',
      lineStyle: { width: 1.75 },
      itemStyle: { color: colors.get(p.run.id) },
      data: p.curve.own.x.map((x, k) => [x, p.curve.own.values[k]]),
      ...(i === 0 && anyPruned
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              lineStyle: { type: 'dotted', color: '#e15759' },
              label: {
                formatter: 'pruned',
                position: dividerLabelPosition(isLowerBetter(name)),
                color: '#e15759',
                fontSize: 10,
                textBorderWidth: 0,
              },
              data: [{ xAxis: 0 }],
            },
          }
        : {}),
      z: 2,
    });
    if (split === 'validation' && p.curve.drops.length)
      series.push({
        ...dropSeries(
          `${p.run.name} after pruning (test)`,
          p.curve,
          colors.get(p.run.id) ?? '#e15759',
          isRate,
        ),
        label: { show: false },
      });
  });
  // parent epochs are numbered only when every drawn parent trained as long (else the numbers would lie)
  const inheritedEpochs = inheritedLengths.size === 1 ? [...inheritedLengths][0]! : 0;
  return {
    animation: false,
    grid: { left: 48, right: 16, top: 16, bottom: 30 },
    ...axesWithHeadroom(isRate, isLowerBetter(name), extent, inheritedEpochs, (e) =>
      anyPruned ? `epoch ${e} (fine-tune for prune runs)` : `epoch ${e}`,
    ),
    series,
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
