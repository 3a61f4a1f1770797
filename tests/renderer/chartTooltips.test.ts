// Chart tooltips are HTML (ECharts draws them with innerHTML): a run or dataset name from the user — a
// dataset folder can be named `<img src=x onerror=alert(1)>` — must arrive as text, never as markup.
import { describe, expect, it } from 'vitest';
import { overlayOption, scatterOption } from '../../src/renderer/components/charts/compareOptions';
import { runCurveOption } from '../../src/renderer/components/charts/lineOptions';
import { makeRun } from './fixtures';

const hostile = '<img src=x onerror=alert(1)>';

/** Renders tooltip HTML the way ECharts does (innerHTML) and reports what it became. */
function render(html: string): { text: string; elements: string[] } {
  const box = document.createElement('div');
  box.innerHTML = html;
  return {
    text: box.textContent ?? '',
    elements: [...box.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()),
  };
}

type Formatter = (params: unknown) => string;

const runs = [
  makeRun({ id: 'a', name: `taylor 80% · ${hostile}`, pruned: { criterion: 'taylor', sparsity: 0.8 } }),
  makeRun({ id: 'b', name: `${hostile} · dense` }),
];
const colors = new Map([
  ['a', '#4e79a7'],
  ['b', '#f28e2b'],
]);

describe('chart tooltips with hostile names', () => {
  it('the accuracy-vs-cost scatter shows a run name as text', () => {
    const { option } = scatterOption(runs, colors, {
      xName: 'sparsity <b>',
      x: (r) => r.sparsity ?? 0,
      xBetter: 'higher',
      xFormat: (v) => `${Math.round(v * 100)}%`,
    });
    const formatter = (option.tooltip as { formatter: Formatter }).formatter;
    const shown = render(formatter({ data: { name: runs[0]!.name, value: [0.8, 0.75] } }));
    expect(shown.elements.filter((tag) => tag !== 'br')).toEqual([]);
    expect(shown.text).toContain(`taylor 80% · ${hostile}`);
    expect(shown.text).toContain('sparsity <b>: 80%');
  });

  it('every other chart option leaves names to ECharts, which escapes them (no HTML formatter of ours)', () => {
    for (const option of [
      overlayOption(runs, colors, 'validation', 'accuracy'),
      runCurveOption(runs[0]!, runs[1]!, 'accuracy').option,
    ]) {
      expect((option.tooltip as { formatter?: unknown }).formatter).toBeUndefined();
    }
  });
});
