// The tooltip and axes every per-epoch metric chart shares: epochs on x; rates (accuracy, F1…) shown as
// percentages, losses as plain numbers. Epochs a run inherited (its dense parent's) sit at x ≤ 0 and are
// labelled with their own epoch numbers, faded; x is padded half an epoch each side so a single epoch
// sits in the middle of the plot, not on its edges, and no empty epoch 0 is drawn.
export interface EpochExtent {
  /** smallest and largest x drawn */
  min: number;
  max: number;
  /** epochs of the inherited part: x ≤ 0 is that part's epoch x + inheritedEpochs */
  inheritedEpochs: number;
  /** how the tooltip names an own epoch, e.g. "fine-tune epoch 2" */
  ownEpoch: (epoch: number) => string;
}

export const fadedLabel = '#8d99a6';

const rateLabel = (v: number) => `${Math.round(v * 100)}%`;

export function formatMetric(isRate: boolean, v: number): string {
  return isRate ? `${(v * 100).toFixed(2)}%` : v.toFixed(4);
}

export function epochAxes(isRate: boolean, extent: EpochExtent) {
  const { inheritedEpochs } = extent;
  const tick = (v: number) => {
    if (!Number.isInteger(v)) return '';
    if (v > 0) return String(v);
    return inheritedEpochs > 0 && v + inheritedEpochs >= 1 ? `{parent|${v + inheritedEpochs}}` : '';
  };
  const pointer = (v: number) => {
    const x = Math.round(v * 100) / 100;
    if (x > 0) return extent.ownEpoch(x);
    if (inheritedEpochs > 0) return `dense parent · epoch ${x + inheritedEpochs}`;
    return x === 0 ? 'pruned' : 'dense parent';
  };
  return {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: number) => formatMetric(isRate, v),
    },
    xAxis: {
      type: 'value',
      name: 'epoch',
      nameLocation: 'middle',
      nameGap: 20,
      minInterval: 1,
      min: extent.min - 0.5,
      max: extent.max + 0.5,
      splitLine: { show: false },
      axisLabel: {
        formatter: tick,
        showMinLabel: false,
        showMaxLabel: false,
        rich: { parent: { color: fadedLabel, opacity: 0.75 } },
      },
      axisPointer: { label: { formatter: ({ value }: { value: number }) => pointer(value) } },
    },
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: {
        // the ends are headroom for labels, not round values
        showMinLabel: false,
        showMaxLabel: false,
        formatter: (v: number) => (isRate ? (v > 1.0001 || v < -0.0001 ? '' : rateLabel(v)) : v.toFixed(2)),
      },
    },
  };
}

/** Room above (or below) the data for the best marker's label, so it is never clipped. */
export function headroom(lowerIsBetter: boolean) {
  return {
    min: (v: { min: number; max: number }) => v.min - (v.max - v.min || 0.1) * (lowerIsBetter ? 0.22 : 0.06),
    max: (v: { min: number; max: number }) => v.max + (v.max - v.min || 0.1) * (lowerIsBetter ? 0.06 : 0.22),
  };
}
