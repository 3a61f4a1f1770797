// End to end in Debian's Chromium against `prunelab serve` with the real services and engine:
// import the bundled sample, train + prune a short run while its curves and sparsity maps update,
// run a second one, compare the two, export one; then the history around them: the run's exports, a
// re-import that offers the dataset already there, a rename, the delete dialog, an import whose files are
// all left out. Screenshots of each view go to test-artifacts/e2e/ (the changed ones light and dark).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Every thumbnail of the sample decoded at the dataset's 28 px (the function runs in the page). */
async function thumbnailsShown() {
  await page.waitForFunction(() => {
    const imgs = [
      ...(globalThis as unknown as PageGlobals).document.querySelectorAll('[data-test="thumbnails"] img'),
    ];
    return imgs.length === 140 && imgs.every((i) => i.complete && i.naturalWidth === 28);
  });
}

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
    await thumbnailsShown();
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

// Light, then dark (switched from the keyboard, as a user does), then back to light.
async function shotBoth(name: string) {
  const theme = (want: string) =>
    page.waitForFunction(
      (t) => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme === t,
      want,
    );
  await page.waitForTimeout(300);
  await shot(name);
  // the theme key is ignored while typing: leave the field the test typed into
  await page.evaluate(() =>
    (
      globalThis as unknown as { document: { activeElement: { blur?: () => void } | null } }
    ).document.activeElement?.blur?.(),
  );
  await page.keyboard.press('t');
  await theme('dark');
  await page.waitForTimeout(300);
  await shot(`${name}-dark`);
  await page.keyboard.press('t');
  await theme('light');
}

describe('history that makes sense', () => {
  const token = () => new URL(baseUrl).searchParams.get('token')!;
  const ask = async <T>(name: string, data: unknown): Promise<T> => {
    const answer = await page.request.post(`${new URL(baseUrl).origin}/api/request/${name}`, {
      headers: { 'x-prunelab-token': token() },
      data,
    });
    const result = (await answer.json()) as { ok: boolean; value: T };
    expect(result.ok).toBe(true);
    return result.value;
  };

  it('a run lists its exports, and exporting did not change when the run finished', async () => {
    await page.keyboard.press('Escape'); // the export dialog of the test before
    await page.waitForSelector('[data-test="export-dialog"]', { state: 'detached' });
    await open(`#/runs/${runIds[0]}`);
    await page.waitForSelector('[data-test="exports-panel"] [data-test="export-row"]');
    const row = (await page.textContent('[data-test="export-row"]')) ?? '';
    expect(row).toContain('TF.js float32');
    expect(row).toMatch(/✓ ok\s*top-1 100\.0% · max \|Δlogit\| .* \(≤ 0\.0001 needed\) · [\d,]+ images/);
    expect(await page.textContent('[data-test="export-tile"]')).toContain('TF.js float32');
    const run = await ask<{ finishedAt: string; artifacts: { createdAt: string }[] }>('runs.get', {
      id: runIds[0],
    });
    expect(run.finishedAt < run.artifacts[0]!.createdAt).toBe(true);
    await shotBoth('run-exports');
  });

  it('importing the sample again offers the dataset already there', async () => {
    const { sampleDatasetPath } = await ask<{ sampleDatasetPath: string }>('system.info', {});
    await open('#/datasets');
    await page.waitForSelector('[data-test="dataset-detail"]');
    expect(await page.textContent('[data-test="dataset-name"]')).toBe('fashion-mnist (sample)');
    await page.fill('[data-test="path-input"]', sampleDatasetPath);
    await page.press('[data-test="path-input"]', 'Enter');
    await page.waitForSelector('[data-test="duplicate-offer"]', { timeout: 300_000 });
    expect(await page.textContent('[data-test="duplicate-offer"]')).toContain(
      'Already imported: this content is the dataset fashion-mnist (sample)',
    );
    expect(await page.locator('[data-test="dataset-item"]').count()).toBe(1);
    await thumbnailsShown();
    await shotBoth('datasets-duplicate');
  });

  it('renames the dataset; the runs table shows the new name and which export each size is', async () => {
    await page.click('[data-test="rename"]');
    await page.fill('[data-test="rename-input"]', 'fashion sample');
    await page.press('[data-test="rename-input"]', 'Enter');
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
        ).document.querySelector('[data-test="dataset-name"]')?.textContent === 'fashion sample',
    );
    await open('#/runs');
    await page.waitForSelector('[data-test="runs-table"]');
    // the list on screen may be the one loaded before the rename until the reload lands
    const rowsNamed = async () =>
      (await page.locator('[data-test="run-row"]').allTextContents()).filter((r) =>
        r.includes('fashion sample'),
      ).length;
    await expect.poll(rowsNamed, { timeout: 30_000 }).toBe(4);
    const rows = await page.locator('[data-test="run-row"]').allTextContents();
    expect(rows.some((r) => r.includes('TF.js float32'))).toBe(true);
    await shotBoth('runs-renamed');
  });

  it('asks before deleting the dataset, saying its four runs go with it', async () => {
    await open('#/datasets');
    await page.waitForSelector('[data-test="dataset-detail"]');
    await thumbnailsShown();
    await page.click('[data-test="delete"]');
    await page.waitForSelector('[data-test="confirm-dialog"]');
    expect(await page.textContent('[data-test="delete-runs"]')).toContain('4 runs use it.');
    expect(await page.textContent('[data-test="confirm-ok"]')).toContain('Delete it and its 4 runs');
    await shotBoth('datasets-delete-dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-test="confirm-dialog"]', { state: 'detached' });
    expect(await page.locator('[data-test="dataset-item"]').count()).toBe(1);
  });

  it('an import whose every file is left out lists the files and why', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'prunelab-e2e-broken-'));
    try {
      for (const cls of ['cat', 'dog']) {
        mkdirSync(join(broken, cls));
        writeFileSync(join(broken, cls, 'photo.png'), 'not a png');
        writeFileSync(join(broken, cls, 'empty.jpg'), '');
      }
      await page.fill('[data-test="path-input"]', broken);
      await page.press('[data-test="path-input"]', 'Enter');
      await page.waitForSelector('[data-test="import-failure"]', { timeout: 120_000 });
      const report = (await page.textContent('[data-test="import-failure"]')) ?? '';
      for (const file of ['cat/photo.png', 'cat/empty.jpg', 'dog/photo.png', 'dog/empty.jpg'])
        expect(report).toContain(file);
      expect(await page.textContent('[role="alert"]')).toContain('4 file(s) were left out, listed below');
      await thumbnailsShown();
      await shotBoth('datasets-import-failed');
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
    expect(pageErrors).toEqual([]);
  });
});
