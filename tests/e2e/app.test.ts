// End to end in Debian's Chromium against `prunelab serve` with the real services and engine:
// import the bundled sample, train + prune a short run while its curves and sparsity maps update,
// run a second one, compare the two, export one. Screenshots of each view go to test-artifacts/e2e/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { shot as shotPage, startSession, type E2eSession, type PageGlobals } from './serveSession';

const artifacts = 'test-artifacts/e2e';

let session: E2eSession;
let baseUrl: string;
let dataDir: string;
let page: Page;
let pageErrors: string[];
const runIds: string[] = [];

const shot = (name: string) => shotPage(page, artifacts, name);
const open = async (hash: string) => {
  await page.goto(`${baseUrl}${hash}`);
};

/** Polls the page until the run's status badge says done, recording what the live views showed on the way. */
async function watchRunToEnd(timeoutMs: number, liveShot: string) {
  const seen = { epochs: [] as number[], steps: [] as number[], statuses: [] as string[] };
  const deadline = Date.now() + timeoutMs;
  let shotLive = false;
  for (;;) {
    const attr = async (selector: string, name: string) => {
      const el = page.locator(selector).first();
      return (await el.count()) ? Number((await el.getAttribute(name)) ?? 0) : 0;
    };
    const state = {
      status: (
        (await page.locator('header [data-test="status"]').textContent({ timeout: 5_000 })) ?? ''
      ).trim(),
      epochs: await attr('[data-test="curve"][data-metric="accuracy"]', 'data-epochs'),
      steps: await attr('[data-test="sparsity-panel"]', 'data-steps'),
    };
    if (seen.epochs.at(-1) !== state.epochs) seen.epochs.push(state.epochs);
    if (seen.steps.at(-1) !== state.steps) seen.steps.push(state.steps);
    if (seen.statuses.at(-1) !== state.status) seen.statuses.push(state.status);
    if (!shotLive && state.epochs > 0 && state.status.includes('running')) {
      shotLive = true;
      await shot(liveShot);
    }
    if (['done', 'failed', 'cancelled', 'interrupted'].includes(state.status)) {
      // The end refreshes the run from the store; give the last events a moment to land on screen.
      await page.waitForTimeout(1500);
      const last = {
        epochs: await attr('[data-test="curve"][data-metric="accuracy"]', 'data-epochs'),
        steps: await attr('[data-test="sparsity-panel"]', 'data-steps'),
      };
      if (seen.epochs.at(-1) !== last.epochs) seen.epochs.push(last.epochs);
      if (seen.steps.at(-1) !== last.steps) seen.steps.push(last.steps);
      return { ...seen, final: state.status };
    }
    if (Date.now() > deadline) throw new Error(`run did not finish in time; saw ${JSON.stringify(seen)}`);
    await page.waitForTimeout(150);
  }
}

async function startRun(options: {
  name: string;
  criterion: string;
  schedule: 'oneshot' | 'iterative';
  level: 'quick' | 'balanced';
}) {
  await open('#/new');
  await page.waitForSelector('[data-test="new-run-form"]');
  await page.selectOption('[data-test="preset-select"]', 'lenet5');
  await page.fill('[data-test="run-name-input"]', options.name);
  await page.check(`input[type="radio"][value="${options.level}"]`);
  await page.check(`input[type="radio"][value="${options.criterion}"]`);
  await page.selectOption('[data-test="schedule-select"]', options.schedule);
  if (options.schedule === 'iterative') await page.fill('[data-test="rounds-input"]', '2');
  await page.fill('[data-test="finetune-input"]', '1');
  await page.click('[data-test="start"]');
  await page.locator('[data-test="run-name"], [role="alert"]').first().waitFor();
  const refusal = await page.locator('[role="alert"]').count();
  if (refusal)
    throw new Error(`the run was refused: ${await page.locator('[role="alert"]').first().textContent()}`);
  const id = decodeURIComponent(/#\/runs\/([\w-]+)$/.exec(page.url())?.[1] ?? '');
  runIds.push(id);
  return id;
}

beforeAll(async () => {
  session = await startSession('prunelab-e2e-', artifacts);
  ({ dataDir, page, pageErrors } = session);
  baseUrl = session.serve.url;
});

afterAll(async () => {
  await session?.close();
});

describe('PruneLab in Chromium against prunelab serve', () => {
  it('says which backend trains, then imports the bundled sample from the first-run screen', async () => {
    await open('#/datasets');
    await page.waitForSelector('[data-test="backend"]');
    expect(await page.textContent('[data-test="backend"]')).toMatch(/WebAssembly|native|plain CPU/);
    await page.waitForSelector('[data-test="datasets-empty"]');
    await shot('datasets-empty');
    await page.click('[data-test="try-sample"]');
    await page.waitForSelector('[data-test="dataset-detail"]', { timeout: 300_000 });
    expect(await page.locator('[data-test="class-row"]').count()).toBe(10);
    expect(await page.textContent('[data-test="split-summary"]')).toContain('2400 / 300 / 300');
    // every thumbnail decoded at the dataset's 28 px (the function runs in the page)
    await page.waitForFunction(() => {
      const imgs = [
        ...(globalThis as unknown as PageGlobals).document.querySelectorAll('[data-test="thumbnails"] img'),
      ];
      return imgs.length === 140 && imgs.every((i) => i.complete && i.naturalWidth === 28);
    });
    await shot('datasets');
  });

  it('a short train-and-prune run shows its curves and sparsity maps update live, then its evaluation', async () => {
    await open('#/new');
    await page.waitForSelector('[data-test="new-run-form"]');
    await shot('new-run');
    const pruneRunId = await startRun({
      name: 'taylor e2e',
      criterion: 'taylor',
      schedule: 'iterative',
      level: 'balanced',
    });
    // "train a new dense model first": the dense parent trains, then this run prunes its weights.
    await page.waitForSelector('[data-test="parent-link"]');
    await page.click('[data-test="parent-link"]');
    await page.waitForSelector('[data-test="run-name"]');
    const training = await watchRunToEnd(540_000, 'run-live-dense-training');
    expect(training.final).toBe('done');
    // the accuracy curve grew epoch by epoch while we watched (balanced = 8 epochs), ending with all 8
    const live = training.epochs.filter((n) => n > 0);
    expect(live.length).toBeGreaterThanOrEqual(3);
    expect(live).toEqual([...live].sort((a, b) => a - b));
    expect(live.at(-1)).toBe(8);

    await open(`#/runs/${pruneRunId}`);
    const pruning = await watchRunToEnd(540_000, 'run-live-pruning');
    expect(pruning.final).toBe('done');
    // two prune rounds arrived one after the other, and fine-tuning drew its own epochs
    expect(pruning.steps.filter((n) => n > 0)).toEqual([1, 2]);
    expect(Math.max(...pruning.epochs)).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-test="sparsity-canvas"]').count()).toBe(1);
    expect(await page.locator('[data-test="layer-bars"] tbody tr').count()).toBeGreaterThanOrEqual(3);
    await page.waitForSelector('[data-test="evaluation"]');
    expect(await page.locator('[data-test="confusion-cell"]').count()).toBe(100);
    // Open the cell of the run's most confidently wrong test image, asked of the server the way the
    // page itself asks (HTTP route of wire.ts, token header).
    const url = new URL(baseUrl);
    const ask = async <T>(name: string, data: unknown): Promise<T> => {
      const answer = await page.request.post(`${url.origin}/api/request/${name}`, {
        headers: { 'x-prunelab-token': url.searchParams.get('token')! },
        data,
      });
      const result = (await answer.json()) as { ok: boolean; value: T };
      expect(result.ok).toBe(true);
      return result.value;
    };
    const detail = await ask<{
      datasetId: string;
      evaluation: {
        confusion: number[][];
        mostConfidentlyWrong: { index: number; label: number; predicted: number }[];
        predictions: number[];
        labels: number[];
      };
    }>('runs.get', { id: pruneRunId });
    const { confusion, mostConfidentlyWrong, predictions, labels } = detail.evaluation;
    // the server recorded every test image's predicted and true class (300 test images in the sample)
    expect(predictions).toHaveLength(300);
    expect(labels).toHaveLength(300);
    const inCell = (t: number, p: number) =>
      labels.flatMap((label, i) => (label === t && predictions[i] === p ? [i] : []));
    const shown = async (t: number, p: number) => {
      const expected = inCell(t, p);
      expect(expected).toHaveLength(confusion[t]![p]!);
      await page
        .locator('[data-test="confusion-cell"]')
        .nth(t * 10 + p)
        .click();
      await page.locator(`[data-test="cell-images"] img[alt="test image ${expected[0]}"]`).waitFor();
      const alts = await page
        .locator('[data-test="cell-images"] img')
        .evaluateAll((imgs) => imgs.map((i) => i.getAttribute('alt')));
      expect(alts).toEqual(expected.map((i) => `test image ${i}`));
      expect(await page.textContent('[data-test="cell-count"]')).toContain(`${expected.length} test image`);
      return expected;
    };
    const first = mostConfidentlyWrong[0]!;
    // every image of the cell, the most confidently wrong one among them
    expect(await shown(first.label, first.predicted)).toContain(first.index);
    // a diagonal cell shows its correctly classified images, and the server agrees on their class
    const best = confusion.map((row, c) => row[c]!).reduce((b, n, c, all) => (n > all[b]! ? c : b), 0);
    const diagonal = await shown(best, best);
    const served = await ask<{ items: { index: number; label: number }[] }>('datasets.samples', {
      id: detail.datasetId,
      split: 'test',
      indices: diagonal,
      limit: diagonal.length,
    });
    expect(served.items.map((s) => s.index)).toEqual(diagonal);
    expect(served.items.every((s) => s.label === best)).toBe(true);
    await shot('run-detail');
  });

  it('a second run with another criterion', async () => {
    const id = await startRun({
      name: 'magnitude e2e',
      criterion: 'magnitude',
      schedule: 'oneshot',
      level: 'quick',
    });
    await page.waitForSelector('[data-test="parent-link"]');
    await page.click('[data-test="parent-link"]');
    expect((await watchRunToEnd(540_000, 'run-live-second-dense')).final).toBe('done');
    await open(`#/runs/${id}`);
    expect((await watchRunToEnd(540_000, 'run-live-second-pruning')).final).toBe('done');
  });

  it('the runs table compares the two', async () => {
    await open('#/runs');
    await page.waitForSelector('[data-test="runs-table"]');
    for (const name of ['taylor e2e', 'magnitude e2e']) {
      // exact name: each prune run's dense parent is called "<name> · dense"
      const nameCell = page.locator('td:nth-child(2)', { hasText: new RegExp(`^${name}$`) });
      await page
        .locator('[data-test="run-row"]', { has: nameCell })
        .locator('input[type="checkbox"]')
        .check();
    }
    await shot('runs');
    await page.click('[data-test="compare"]');
    await page.waitForSelector('[data-test="summary-row"]');
    expect(await page.locator('[data-test="summary-row"]').count()).toBe(2);
    expect(await page.locator('[data-test="side-by-side"] canvas').count()).toBe(2);
    expect(await page.locator('[data-test="config-row"]', { hasText: 'prune.criterion' }).count()).toBe(1);
    await page.waitForTimeout(500);
    await shot('compare');
    // the dark theme, switched from the keyboard, then back
    await page.keyboard.press('t');
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme === 'dark',
    );
    await page.waitForTimeout(500);
    await shot('compare-dark');
    await page.keyboard.press('t');
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme === 'light',
    );
  });

  it('exports one run, shows its size table and parity, and downloads it as a zip', async () => {
    await open(`#/runs/${runIds[0]}`);
    await page.click('[data-test="export"]');
    await page.waitForSelector('[data-test="export-dialog"]');
    await page.click('[data-test="export-start"]');
    await page.waitForSelector('[data-test="export-result"]', { timeout: 300_000 });
    expect(await page.textContent('[data-test="parity"]')).toContain('✓ parity');
    await page.waitForSelector('[data-test="size-table"]');
    await shot('export');
    // the browser cannot open the server's folder: it says where the files are and downloads the zip
    expect(await page.textContent('[data-test="export-path"]')).toContain(dataDir);
    expect(await page.locator('[data-test="reveal"]').count()).toBe(0);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-test="download"]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^taylor-e2e-tfjs-float32\.zip$/);
    expect(await download.failure()).toBeNull();
    expect(pageErrors).toEqual([]);
  });
});
