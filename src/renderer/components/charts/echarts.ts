// ECharts, tree-shaken to what PruneLab draws, with a light and a dark theme matching the app's CSS.
import { use, registerTheme } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  MarkPointComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';

use([
  CanvasRenderer,
  LineChart,
  ScatterChart,
  BarChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  MarkLineComponent,
  MarkPointComponent,
  MarkAreaComponent,
  DataZoomComponent,
  VisualMapComponent,
]);

function theme(text: string, muted: string, line: string, tooltipBg: string, panel: string) {
  const axis = {
    axisLine: { lineStyle: { color: line } },
    axisTick: { lineStyle: { color: line } },
    axisLabel: { color: muted },
    splitLine: { lineStyle: { color: line, opacity: 0.5 } },
    nameTextStyle: { color: muted },
  };
  return {
    color: ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2'],
    backgroundColor: 'transparent',
    textStyle: { color: text, fontFamily: 'Inter, system-ui, sans-serif', fontSize: 11 },
    legend: { textStyle: { color: muted } },
    line: {
      // filled points: ECharts' default hollow ones are filled white, a halo on a dark panel
      symbol: 'circle',
      // a marker's label sits on the panel's colour, so it stays readable where it crosses a curve
      markPoint: { label: { backgroundColor: panel, padding: [1, 3], borderRadius: 3 } },
    },
    tooltip: { backgroundColor: tooltipBg, borderColor: line, textStyle: { color: text } },
    valueAxis: axis,
    categoryAxis: axis,
    logAxis: axis,
  };
}

registerTheme('prunelab-light', theme('#1d232b', '#5d6875', '#d5dae0', '#ffffff', '#ffffff'));
registerTheme('prunelab-dark', theme('#dfe5ec', '#8d99a6', '#323b46', '#1c232c', '#171e26'));

export const chartThemeName = (mode: 'light' | 'dark') => `prunelab-${mode}`;
