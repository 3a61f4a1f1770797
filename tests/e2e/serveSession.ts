// What the Chromium suites share: `prunelab serve` started on a fresh data directory with the real
// services and engine, and screenshots of the whole page (in one or both themes) under test-artifacts/.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../bench/ui/browser';

// Functions handed to the page run there (the CSP forbids evaluating strings); these files compile with
// Node's lib, so the few browser globals they read are typed here.
export interface PageGlobals {
  document: {
    activeElement: { blur?(): void } | null;
    documentElement: { scrollHeight: number; dataset: { theme?: string } };
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): Iterable<{ complete: boolean; naturalWidth: number }>;
  };
}
export interface PageElement {
  scrollWidth: number;
  clientWidth: number;
  getBoundingClientRect(): { left: number; right: number; width: number };
  closest(selector: string): PageElement | null;
}

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `prunelab serve` on `dataDir` (any free port, no browser) and resolves with the URL it prints. */
export function startServe(dataDir: string): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['bin/prunelab.js', 'serve', '--data-dir', dataDir, '--port', '0', '--no-open'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no URL:\n${out}`)), 480_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /https?:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out)?.[0];
      if (!url) return;
      clearTimeout(timer);
      resolve({
        url,
        child,
        async stop() {
          if (child.exitCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before printing a URL:\n${out}`)));
  });
}

export interface E2eSession {
  dataDir: string;
  serve: ServeProcess;
  page: Page;
  /** uncaught page errors and Content-Security-Policy refusals seen so far (a suite expects none) */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * A fresh data directory (`prefix` names it), `prunelab serve` on it, and one Chromium page watched for
 * errors; the screenshot folder is made. `close()` undoes all of it.
 */
export async function startSession(prefix: string, artifacts: string): Promise<E2eSession> {
  mkdirSync(artifacts, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const serve = await startServe(dataDir);
  const browser = await launchChromium({ width: 1360, height: 900 });
  const page = await browser.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The strict CSP must hold without the page tripping over it.
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
  return {
    dataDir,
    serve,
    page,
    pageErrors,
    async close() {
      await browser.close();
      await serve.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The whole page in one picture: grow the viewport to the content (fullPage would repeat the sticky
 * sidebar and top bar part-way down), then put it back.
 */
export async function shot(page: Page, folder: string, name: string): Promise<void> {
  const height = await page.evaluate(
    () => (globalThis as unknown as PageGlobals).document.documentElement.scrollHeight,
  );
  await page.setViewportSize({ width: 1360, height: Math.min(4000, Math.max(900, Number(height))) });
  await page.screenshot({ path: join(folder, `${name}.png`) });
  await page.setViewportSize({ width: 1360, height: 900 });
}

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const current = await page.evaluate(
    () => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme,
  );
  if (current === theme) return;
  // a focused field would take the key as typing, not as the shortcut
  await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.blur?.());
  await page.keyboard.press('t');
  await page.waitForFunction(
    (t) => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme === t,
    theme,
  );
  // charts redraw in the new theme
  await page.waitForTimeout(500);
}

/** `<name>-light.png` and `<name>-dark.png`, leaving the page in the light theme. */
export async function shotBothThemes(page: Page, folder: string, name: string): Promise<void> {
  await setTheme(page, 'light');
  await shot(page, folder, `${name}-light`);
  await setTheme(page, 'dark');
  await shot(page, folder, `${name}-dark`);
  await setTheme(page, 'light');
}
