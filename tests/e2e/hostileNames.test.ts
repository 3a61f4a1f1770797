// Serve mode in Debian's Chromium with hostile names and the launch file: a dataset folder named
// `<img src=x onerror=alert(1)>` trains a dense and a pruned run whose names carry it; Compare's chart
// tooltip shows that name as text — no element is injected, no script (nor CSP violation) happens.
// And the private launch file `prunelab serve` hands the browser really opens the app.
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../bench/ui/browser';
import { writeLaunchFile } from '../../src/main/server/launchFile';
import { tinyDataset } from '../cli/helpers';
import { startServe, type ServeProcess } from './serveSession';

const hostile = '<img src=x onerror=alert(1)>';

// Functions handed to the page run there; this file compiles with Node's lib, so the few browser
// globals they read are typed here.
interface PageGlobals {
  document: {
    addEventListener(
      type: string,
      listener: (event: {
        violatedDirective: string;
        blockedURI: string;
        sample: string;
        sourceFile: string;
      }) => void,
    ): void;
    querySelectorAll(selector: string): { length: number };
  };
  alert: (message?: unknown) => void;
  __seen: { violations: string[]; alerts: number };
}

let dir: string;
let serve: ServeProcess | null = null;
let baseUrl: URL;
let browser: Awaited<ReturnType<typeof launchChromium>>;

async function ask<T>(name: string, payload: unknown): Promise<T> {
  const res = await fetch(`${baseUrl.origin}/api/request/${name}`, {
    method: 'POST',
    headers: { 'x-prunelab-token': baseUrl.searchParams.get('token')!, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const result = (await res.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!result.ok) throw new Error(`${name}: ${result.error?.message}`);
  return result.value;
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Watches the page for injected markup running: CSP violations and alert() calls. */
async function watchForScripts(page: Page) {
  await page.addInitScript(() => {
    const g = globalThis as unknown as PageGlobals;
    g.__seen = { violations: [], alerts: 0 };
    g.document.addEventListener('securitypolicyviolation', (e) =>
      g.__seen.violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile} ${e.sample}`),
    );
    g.alert = () => void (g.__seen.alerts += 1);
  });
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return dialogs;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prunelab-e2e-hostile-'));
  const folder = join(dir, hostile);
  renameSync(tinyDataset(dir, 3, 20), folder);
  serve = await startServe(join(dir, 'data'));
  baseUrl = new URL(serve.url);
  browser = await launchChromium({ width: 1360, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('serve mode in Chromium: the launch file and hostile names', () => {
  it('opens the app from the private launch file the browser is given', async () => {
    const launch = await writeLaunchFile(baseUrl.href, dir);
    const page = await browser.context.newPage();
    try {
      await page.goto(launch.url);
      await page.getByText('serve mode').first().waitFor({ timeout: 60_000 });
      expect(new URL(page.url()).origin).toBe(baseUrl.origin);
    } finally {
      await page.close();
      await launch.remove();
    }
  });

  it("shows a dataset folder named like markup as text in Compare's chart tooltip; no script runs", async () => {
    const { jobId } = await ask<{ jobId: string }>('datasets.import', { path: join(dir, hostile), size: 28 });
    const dataset = await until('the import', async () => {
      const list = await ask<{ id: string; name: string }[]>('datasets.list', {});
      return list[0] ?? null;
    });
    expect(jobId).toBeTruthy();
    expect(dataset.name).toBe(hostile);
    const { runId } = await ask<{ runId: string }>('runs.start', {
      config: {
        datasetId: dataset.id,
        train: { preset: 'lenet5', epochs: 1, batchSize: 16 },
        prune: {
          criterion: 'magnitude',
          target: { kind: 'sparsity', value: 0.5 },
          finetuneEpochs: 0,
          calibrationBatches: 2,
        },
      },
    });
    const runs = await until('both runs', async () => {
      const list = await ask<{ id: string; name: string; status: string }[]>('runs.list', {});
      if (list.some((r) => r.status === 'failed')) throw new Error(JSON.stringify(list));
      return list.length === 2 && list.every((r) => r.status === 'done') ? list : null;
    });
    expect(runs.every((r) => r.name.includes(hostile))).toBe(true);

    const page = await browser.context.newPage();
    const dialogs = await watchForScripts(page);
    await page.goto(`${baseUrl.href}#/compare?ids=${runs.map((r) => r.id).join(',')}`);
    const panel = page.locator('[data-test="scatter-sparsity"]');
    const canvas = panel.locator('canvas').first();
    await canvas.waitFor();
    await page.waitForTimeout(500);
    const box = (await canvas.boundingBox())!;
    // Points sit at x = their sparsity on a fixed 0–1 axis (grid: 48 px left, 20 px right); sweep down
    // each column until the item tooltip opens.
    const sparsity = (await ask<{ sparsity: number | null }>('runs.get', { id: runId })).sparsity ?? 0;
    let found = false;
    for (const s of [sparsity, 0]) {
      const x = box.x + 48 + (box.width - 68) * s;
      for (let y = box.y + 10; y < box.y + box.height - 30 && !found; y += 3) {
        await page.mouse.move(x, y);
        found = (await panel.innerText()).includes('test accuracy:');
      }
      if (found) break;
    }
    expect(found).toBe(true);
    const tooltip = await panel.innerText();
    expect(tooltip).toContain(hostile);
    const seen = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return { injected: g.document.querySelectorAll('img[src="x"]').length, ...g.__seen };
    });
    expect(seen).toEqual({ injected: 0, violations: [], alerts: 0 });
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
