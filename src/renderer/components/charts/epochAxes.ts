// The tooltip and axes every per-epoch metric chart shares: epochs on x; rates (accuracy, F1…) shown as
// percentages, losses as plain numbers.
export function epochAxes(isRate: boolean) {
  return {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: number) => (isRate ? `${(v * 100).toFixed(2)}%` : v.toFixed(4)),
    },
    xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 20, minInterval: 1 },
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: { formatter: (v: number) => (isRate ? `${Math.round(v * 100)}%` : v.toFixed(2)) },
    },
  };
}
