// Debian's Chromium, headless, with a fresh profile: the browser every UI measurement and e2e test uses.
import { chromium, type BrowserContext } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(
  viewport = { width: 1360, height: 900 },
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'prunelab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.PRUNELAB_CHROMIUM ?? '/usr/bin/chromium',
    args: chromiumArgs,
    headless: true,
    viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
