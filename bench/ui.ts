// bench:ui — the renderer's two speed goals, measured in Debian's Chromium on the built renderer:
//   Compare with 10 runs × 100 epochs renders in ≤ 200 ms (data in hand → every chart drawn);
//   a sparsity map of a 37,000-weight layer draws in ≤ 30 ms.
// The app records both as User Timing measures (lib/measures.ts); the services are a fixture bridge
// so only rendering is timed. `npm run bench:ui [-- --quick] [-- --no-build]`; last line is JSON.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { launchChromium } from './ui/browser';
import { serveStatic } from './ui/staticServer';
import { fakeBridgeScript } from './ui/fakeBridge';
import { makeDataset, makePresets, makeRun, makeSettings, makeSystem } from '../tests/renderer/fixtures';
import { COMPARE_RENDER_MEASURE, MASK_DRAW_MEASURE } from '../src/renderer/lib/measures';

const quick = process.argv.includes('--quick');
const rounds = quick ? 5 : 15;

if (!process.argv.includes('--no-build') || !existsSync('out/renderer/index.html')) {
  const built = spawnSync('npm', ['run', 'build:renderer'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('renderer build failed');
}

const criteria = ['taylor', 'gradient', 'magnitude', 'random'] as const;
const compareRuns = Array.from({ length: 10 }, (_, i) =>
  makeRun({
    id: `cmp-${i}`,
    seed: i + 1,
    epochs: 100,
    pruned: { criterion: criteria[i % 4]!, sparsity: 0.5 + 0.05 * i, steps: 2, finetune: 0 },
  }),
);
// fixtures' dense_1 layer is 40 × 925 = 37,000 weights; three steps so the slider has somewhere to go.
const mapRun = makeRun({
  id: 'map-run',
  seed: 99,
  epochs: 10,
  pruned: { criterion: 'taylor', sparsity: 0.8, steps: 3 },
});
const weights = 37_000;
if (!mapRun.pruneSteps[0]!.layers.some((l) => l.weights === weights))
  throw new Error('fixture layer is not 37,000 weights');

// Callbacks passed to page.evaluate run in the page; this file compiles with Node's lib, so the few
// browser globals they touch are typed here.
interface PageGlobals {
  location: { hash: string };
  document: { querySelectorAll(selector: string): { length: number } };
  dispatchEvent(event: unknown): void;
  KeyboardEvent: new (type: string, init: { key: string }) => unknown;
  requestAnimationFrame(cb: () => void): void;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number) => Math.round(x * 10) / 10;

const server = await serveStatic('out/renderer');
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript({
    content: fakeBridgeScript({
      system: makeSystem(),
      settings: makeSettings(),
      presets: makePresets(),
      datasets: [makeDataset()],
      runs: [...compareRuns, mapRun],
      artifacts: [],
      thumbnail: 'data:,',
    }),
  });
  await page.goto(`${server.url}#/runs`);
  await page.waitForSelector('[data-test="runs-table"]');

  // Resolves with the next measure of `name` after `hash` is set (the view mounts fresh each time).
  const measureAfter = (hash: string, name: string) =>
    page.evaluate(
      ([h, n]) =>
        new Promise<{ app: number; wall: number }>((resolve, reject) => {
          const t0 = performance.now();
          const obs = new PerformanceObserver((list) => {
            const entry = list.getEntries().find((e) => e.name === n);
            if (!entry) return;
            obs.disconnect();
            resolve({ app: entry.duration, wall: entry.startTime + entry.duration - t0 });
          });
          obs.observe({ type: 'measure' });
          (globalThis as unknown as PageGlobals).location.hash = h!;
          setTimeout(() => reject(new Error(`no ${n} measure within 10 s`)), 10_000);
        }),
      [hash, name] as const,
    );

  const compareHash = `#/compare?ids=${compareRuns.map((r) => r.id).join(',')}`;
  const compare: { app: number; wall: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    await page.evaluate(() => ((globalThis as unknown as PageGlobals).location.hash = '#/runs'));
    await page.waitForSelector('[data-test="runs-table"]');
    compare.push(await measureAfter(compareHash, COMPARE_RENDER_MEASURE));
  }
  const curveCount = await page.evaluate(
    () =>
      (globalThis as unknown as PageGlobals).document.querySelectorAll('[data-test="summary-row"]').length,
  );
  if (curveCount !== 10) throw new Error(`Compare showed ${curveCount} runs, expected 10`);

  // Sparsity map: first draw on opening the run, then redraws stepping through prune steps.
  const mapFirst = await measureAfter('#/runs/map-run', MASK_DRAW_MEASURE);
  await page.waitForSelector('[data-test="step-slider"]');
  await page.evaluate(() => performance.clearMeasures());
  for (let i = 0; i < rounds * 2; i++) await page.keyboard.press(i % 4 < 2 ? '[' : ']');
  const redraws = await page.evaluate(
    ([n, w]) =>
      performance
        .getEntriesByName(n!, 'measure')
        .filter((e) => (e as unknown as { detail?: { weights?: number } }).detail?.weights === w)
        .map((e) => e.duration),
    [MASK_DRAW_MEASURE, weights] as const,
  );
  if (redraws.length < rounds) throw new Error(`only ${redraws.length} sparsity-map redraws were measured`);
  // And the whole step as a user sees it: key press → Vue update → draw → the next painted frame.
  const stepToFrame: number[] = [];
  for (let i = 0; i < rounds; i++) {
    stepToFrame.push(
      await page.evaluate(
        (key) =>
          new Promise<number>((resolve) => {
            const t0 = performance.now();
            const w = globalThis as unknown as PageGlobals;
            w.dispatchEvent(new w.KeyboardEvent('keydown', { key }));
            w.requestAnimationFrame(() => w.requestAnimationFrame(() => resolve(performance.now() - t0)));
          }),
        i % 2 ? ']' : '[',
      ),
    );
  }
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);

  const figures = {
    bench: 'ui',
    browser: 'chromium (Debian), headless',
    rounds,
    compareRuns: 10,
    compareEpochs: 100,
    compareRenderMs: {
      median: round(median(compare.map((c) => c.app))),
      max: round(Math.max(...compare.map((c) => c.app))),
      first: round(compare[0]!.app),
    },
    compareNavigateToDrawnMs: { median: round(median(compare.map((c) => c.wall))) },
    compareBudgetMs: 200,
    sparsityMapWeights: weights,
    sparsityMapDrawMs: {
      median: round(median(redraws)),
      max: round(Math.max(...redraws)),
      first: round(mapFirst.app),
    },
    sparsityMapStepToPaintMs: { median: round(median(stepToFrame)), max: round(Math.max(...stepToFrame)) },
    sparsityMapBudgetMs: 30,
    pass: median(compare.map((c) => c.app)) <= 200 && median(redraws) <= 30,
  };
  console.log(
    `Compare 10 runs × 100 epochs: median ${figures.compareRenderMs.median} ms (max ${figures.compareRenderMs.max}, first ${figures.compareRenderMs.first}); budget 200 ms`,
  );
  console.log(
    `Sparsity map, 37,000 weights: median ${figures.sparsityMapDrawMs.median} ms (max ${figures.sparsityMapDrawMs.max}, first ${figures.sparsityMapDrawMs.first}); budget 30 ms`,
  );
  console.log(
    `Prune-step key → next painted frame: median ${figures.sparsityMapStepToPaintMs.median} ms (two rAFs, so ≥ ~1 frame)`,
  );
  console.log(JSON.stringify(figures));
} finally {
  await browser.close();
  await server.close();
}
