// The views a newcomer tripped on, in Debian's Chromium against `prunelab serve` with the real services
// and engine: one dense run and four prune runs made from it (iterative ×3 among them), looked at the way
// a user would — run pages, lineage, the runs table, Compare with four runs, New run from a trained
// parent, a queued run's badge, and an export downloaded from the page. Every changed view leaves a
// screenshot in the light and the dark theme under test-artifacts/e2e-views/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import type { RunDetail, SystemInfo } from '../../src/shared/dto';
import { runBest } from '../../src/shared/bestMetric';
import { shotBothThemes, startSession, type E2eSession, type PageElement } from './serveSession';

const artifacts = 'test-artifacts/e2e-views';

let session: E2eSession;
let origin: string;
let token: string;
let dataDir: string;
let page: Page;
let pageErrors: string[];
let datasetId: string;
let denseId: string;
let iterativeId: string;
const pruneIds: string[] = [];

const shots = (name: string) => shotBothThemes(page, artifacts, name);
const open = (hash: string) => page.goto(`${origin}/?token=${token}${hash}`);

/** A request the way the page makes it (HTTP route of wire.ts, token header); the value, or a thrown error. */
async function ask<T>(name: string, payload: unknown): Promise<T> {
  const answer = await page.request.post(`${origin}/api/request/${name}`, {
    headers: { 'x-prunelab-token': token },
    data: payload,
  });
  const result = (await answer.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!result.ok) throw new Error(`${name}: ${result.error?.message}`);
  return result.value;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs = 540_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const runDone = (id: string) =>
  until(`run ${id}`, async () => {
    const run = await ask<RunDetail>('runs.get', { id });
    if (['failed', 'cancelled', 'interrupted'].includes(run.status))
      throw new Error(`run ${id} ended ${run.status}: ${run.error}`);
    return run.status === 'done' ? run : null;
  });

const quickPrune = (name: string, criterion: string, sparsity: number) =>
  ask<{ runId: string }>('runs.start', {
    name,
    config: {
      datasetId,
      parentRunId: denseId,
      train: { preset: 'lenet5', epochs: 2, learningRate: 0.002 },
      prune: { criterion, target: { kind: 'sparsity', value: sparsity }, finetuneEpochs: 1 },
    },
  });

/** How far a table reaches past the box it scrolls in (≤ 0: it fits), and whether that box scrolls. */
async function overflow(selector: string) {
  return page.locator(selector).evaluate((table) => {
    const t = table as unknown as PageElement;
    const box = t.closest('.wrap') ?? t;
    const panel = t.closest('.panel')!;
    return {
      beyondPanel: t.getBoundingClientRect().right - panel.getBoundingClientRect().right,
      hidden: t.scrollWidth - box.clientWidth,
      boxScrolls: box.scrollWidth > box.clientWidth,
    };
  });
}

beforeAll(async () => {
  session = await startSession('prunelab-e2e-views-', artifacts);
  ({ dataDir, page, pageErrors } = session);
  const url = new URL(session.serve.url);
  origin = url.origin;
  token = url.searchParams.get('token')!;
  await open('#/datasets');
  // the bundled sample, and a short dense LeNet-5 every prune run starts from
  const system = await ask<SystemInfo>('system.info', {});
  await ask('datasets.import', { path: system.sampleDatasetPath });
  datasetId = (
    await until('the sample import', async () => (await ask<{ id: string }[]>('datasets.list', {}))[0])
  ).id;
  denseId = (
    await ask<{ runId: string }>('runs.start', {
      name: 'lenet dense',
      config: { datasetId, train: { preset: 'lenet5', epochs: 3, learningRate: 0.002 } },
    })
  ).runId;
  await runDone(denseId);
});

afterAll(async () => {
  await session?.close();
});

describe('the views a newcomer tripped on', () => {
  it('New run from a trained parent hides the training options and says Prune', async () => {
    await open(`#/new?dataset=${datasetId}&parent=${denseId}`);
    await page.waitForSelector('[data-test="from-parent-note"]');
    expect(await page.locator('[data-test="training-options"]').count()).toBe(0);
    expect(await page.textContent('[data-test="from-parent-note"]')).toContain('Nothing is trained');
    expect((await page.textContent('[data-test="start"]'))?.trim()).toBe('Prune');
    // the criterion help: taylor recommended, every criterion's evidence on screen, baselines apart
    await expect(
      page.locator('[data-test="criterion-taylor"] [data-test="recommended"]').isVisible(),
    ).resolves.toBe(true);
    expect(await page.locator('[data-test="criterion-evidence"]:visible').count()).toBe(7);
    expect(await page.locator('[data-test="criteria-baseline"] input[type="radio"]').count()).toBe(3);
    // defaults as the schema's; gradual unavailable for structured pruning, with the reason
    expect(await page.inputValue('[data-test="schedule-select"]')).toBe('automatic');
    expect(await page.inputValue('[data-test="finetune-lr-schedule"]')).toBe('automatic');
    const lrShown = () => page.locator('[data-test="finetune-lr-schedule"] option:checked').textContent();
    expect((await lrShown())?.trim()).toBe('automatic (cosine decay)');
    const scaleShown = () => page.getAttribute('[data-test="finetune-lr-scale"]', 'placeholder');
    expect(await scaleShown()).toBe('automatic (5×)');
    await page.check('[data-test="structured"]');
    // structured runs one-shot: the automatic rate is constant there, and starts lower
    expect((await lrShown())?.trim()).toBe('automatic (constant)');
    expect(await scaleShown()).toBe('automatic (2×)');
    await expect(
      page.locator('[data-test="schedule-select"] option[value="gradual"]').isDisabled(),
    ).resolves.toBe(true);
    expect(await page.textContent('[data-test="gradual-unavailable"]')).toContain('structured pruning');
    await shots('new-run-structured');
    await page.uncheck('[data-test="structured"]');
    await page.check('input[type="radio"][value="taylor"]');
    await page.selectOption('[data-test="schedule-select"]', 'iterative');
    await page.fill('[data-test="rounds-input"]', '3');
    await page.fill('[data-test="finetune-input"]', '1');
    await page.fill('[data-test="run-name-input"]', 'taylor iterative×3');
    await shots('new-run-from-parent');
    await page.click('[data-test="start"]');
    await page.waitForSelector('[data-test="run-name"]');
    iterativeId = decodeURIComponent(/#\/runs\/([\w-]+)$/.exec(page.url())?.[1] ?? '');
    pruneIds.push(iterativeId);
    // nothing was trained again: the run prunes the parent's model, with the parent's train settings
    const run = await ask<RunDetail>('runs.get', { id: iterativeId });
    const parent = await ask<RunDetail>('runs.get', { id: denseId });
    expect(run.parentRunId).toBe(denseId);
    expect(run.config.train).toEqual(parent.config.train);
  });

  it('a queued run says it waits for a worker, not that its backend is unknown', async () => {
    // one job at a time: while the iterative run prunes, the next ones wait
    for (const [name, criterion, sparsity] of [
      ['magnitude 80%', 'magnitude', 0.8],
      ['random 80%', 'random', 0.8],
      ['taylor 50% with a long name to test the tables', 'taylor', 0.5],
    ] as const)
      pruneIds.push((await quickPrune(name, criterion, sparsity)).runId);
    await open(`#/runs/${pruneIds[3]}`);
    const badge = '[data-test="run-meta"] [data-test="backend"]';
    await page.waitForSelector(badge);
    expect((await page.textContent('header [data-test="status"]'))?.trim()).toBe('queued');
    expect((await page.textContent(badge))?.trim()).toBe('waiting for a worker');
    expect(await page.getAttribute(badge, 'class')).not.toContain('warn');
    await shots('run-queued');
  });

  it('every prune step of iterative ×3 shows its drop; best counts only the run’s own epochs', async () => {
    const run = await runDone(iterativeId);
    expect(run.pruneSteps.map((s) => s.atEpoch)).toEqual([0, 1, 2]);
    expect(run.pruneSteps.every((s) => s.afterPrune?.split === 'test')).toBe(true);
    await open(`#/runs/${iterativeId}`);
    await page.waitForSelector('[data-test="curve"][data-metric="accuracy"][data-drops="3"]');
    expect(await page.getAttribute('[data-test="curve"][data-metric="accuracy"]', 'data-inherited')).toBe(
      '3',
    );
    expect(await page.getAttribute('[data-test="curve"][data-metric="accuracy"]', 'data-epochs')).toBe('3');
    const own = runBest(run.metrics, 'validation', 'accuracy')!;
    const shown = `${(own.value * 100).toFixed(2)}%`;
    expect(await page.textContent('[data-metric="accuracy"] [data-test="best-epoch"]')).toBe(
      `best ${shown} at fine-tune epoch ${own.epoch}`,
    );
    expect(await page.locator('.tiles').textContent()).toContain(`${shown}fine-tune epoch ${own.epoch}`);
    // the backend said once, the reason on hover
    const badge = page.locator('[data-test="run-meta"] [data-test="backend"]');
    expect((await badge.textContent())?.trim()).toMatch(/^(WebAssembly|native \(tfjs-node\)) · \d threads?$/);
    expect(await badge.getAttribute('title')).toBeTruthy();
    // LeNet-5's conv2 (16 units × 6 inputs × 5×5) folds to one cell per kernel, and says its scale
    await page.selectOption('[data-test="layer-select"]', { index: 1 });
    expect(await page.getAttribute('[data-test="sparsity-canvas"]', 'data-mode')).toBe('kernel');
    expect(await page.textContent('[data-test="map-scale"]')).toMatch(
      /^1 cell = 1 kernel of 5×5 weights · \d+(\.\d+)? px$/,
    );
    await page.waitForTimeout(500);
    await shots('run-iterative');
  });

  it("a dense run's page lists the prune runs made from it; the runs table groups by parent", async () => {
    for (const id of pruneIds) await runDone(id);
    await open(`#/runs/${denseId}`);
    await page.waitForSelector('[data-test="child-run"]');
    const children = await page
      .locator('[data-test="child-run"] a')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(children).toEqual(pruneIds.map((id) => `#/runs/${id}`));
    await page.waitForTimeout(500);
    await shots('run-dense-lineage');

    await open('#/runs');
    await page.waitForSelector('[data-test="runs-table"]');
    await page.check('[data-test="group-by-parent"]');
    const depths = await page
      .locator('[data-test="run-row"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-depth')));
    expect(depths).toEqual(['0', '1', '1', '1', '1']);
    // the runs table's best is the run's own, as on its page
    const best = (await ask<RunDetail>('runs.get', { id: iterativeId })).best['validation.accuracy']!;
    const row = page.locator('[data-test="run-row"]', { hasText: 'taylor iterative×3' });
    expect(await row.locator('td').nth(2).textContent()).toBe(`${(best.value * 100).toFixed(1)}%`);
    await shots('runs-grouped');
  });

  it('Compare with four runs: every table fits or scrolls in its panel, no empty sweep panel', async () => {
    await open(`#/compare?ids=${pruneIds.join(',')}`);
    await page.waitForSelector('[data-test="per-class-table"]');
    await page.waitForTimeout(800);
    expect(await page.locator('[data-test="sweep-panel"]').count()).toBe(0);
    for (const table of [
      '[data-test="per-class-table"]',
      '[data-test="config-diff"]',
      '[data-test="metric-summary"]',
    ]) {
      const o = await overflow(table);
      // never past its panel; wider than its box only where the box scrolls to it
      expect(o.beyondPanel, table).toBeLessThanOrEqual(1);
      if (o.hidden > 1) expect(o.boxScrolls, table).toBe(true);
    }
    expect(await page.locator('[data-test="per-class-table"] thead th').count()).toBe(5);
    // Compare's best is each run's own, as on its page
    const cells = await page
      .locator('[data-test="summary-row"]')
      .evaluateAll((rows) =>
        rows.map((r) => r.querySelector('[data-test="summary-cell"]')?.textContent ?? ''),
      );
    for (const [i, id] of pruneIds.entries()) {
      const own = runBest((await ask<RunDetail>('runs.get', { id })).metrics, 'validation', 'accuracy')!;
      expect(cells[i]).toContain(`${(own.value * 100).toFixed(2)}% (ft ${own.epoch})`);
    }
    await shots('compare-four');
  });

  it('downloads an export from the page as the zip PruneLab wrote', async () => {
    await open(`#/runs/${iterativeId}`);
    await page.click('[data-test="export"]');
    await page.click('[data-test="export-start"]');
    await page.waitForSelector('[data-test="export-result"]', { timeout: 300_000 });
    await shots('export-download');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-test="download"]'),
    ]);
    expect(download.suggestedFilename()).toBe('taylor-iterative-3-tfjs-float32.zip');
    const saved = join(dataDir, 'downloaded.zip');
    await download.saveAs(saved);
    const files = unzipSync(new Uint8Array(await readFile(saved)));
    expect(Object.keys(files).sort()).toEqual([
      'README.md',
      'group1-shard1of1.bin',
      'metadata.json',
      'model.json',
    ]);
    // the same bytes as the zip written beside the export
    const [artifact] = await ask<{ zipPath: string }[]>('exports.list', { runId: iterativeId });
    expect(Buffer.compare(await readFile(saved), await readFile(artifact!.zipPath))).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
