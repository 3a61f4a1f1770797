import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMainApp, type MainApp } from '../../src/main/app/mainApp';
import type { IpcMainInvokeEventLike, MenuItemOptionsLike } from '../../src/main/app/electronTypes';
import { eventNames, requestNames } from '../../src/shared/api';
import { ipcEventChannel, ipcRequestChannel } from '../../src/shared/ipc';
import { createFakeElectron, FakeBrowserWindow, type FakeElectron } from './fakeElectron';
import { createFakeServices, type FakeServices } from './fakeServices';

let dir: string;
let electron: FakeElectron;
let services: FakeServices;
let clock: number;

function makeApp(
  overrides: {
    argv?: string[];
    lock?: boolean;
    dark?: boolean;
    devServerUrl?: string;
    isPackaged?: boolean;
  } = {},
): MainApp {
  electron = createFakeElectron({
    lock: overrides.lock ?? true,
    dark: overrides.dark ?? false,
    isPackaged: overrides.isPackaged ?? false,
  });
  services = createFakeServices();
  return createMainApp({
    electron,
    createServices: async () => services,
    dataDir: join(dir, 'data'),
    preloadPath: '/app/out/preload/index.cjs',
    rendererDir: join(dir, 'renderer'),
    devServerUrl: overrides.devServerUrl ?? null,
    workerEntry: '/app/out/main/worker.js',
    argv: overrides.argv ?? ['/usr/bin/electron', '/app'],
    cwd: dir,
    platform: 'linux',
    now: () => clock,
  });
}

function theWindow(): FakeBrowserWindow {
  const window = FakeBrowserWindow.created[0];
  if (!window) throw new Error('no window was created');
  return window;
}

function ourEvent(window: FakeBrowserWindow, url = 'app://prunelab/index.html'): IpcMainInvokeEventLike {
  return { sender: window.webContents, senderFrame: { url, parent: null } };
}

function findItem(items: MenuItemOptionsLike[], label: string): MenuItemOptionsLike | undefined {
  for (const item of items) {
    if (item.label === label) return item;
    const inner = item.submenu ? findItem(item.submenu, label) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prunelab-app-'));
  await mkdir(join(dir, 'renderer'), { recursive: true });
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>PruneLab</title>');
  await mkdir(join(dir, 'pets', 'cats'), { recursive: true });
  clock = 0;
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the Electron main process (against a fake electron)', () => {
  it('registers exactly one handler per request of the contract', async () => {
    await makeApp().start();
    expect([...electron.handlers.keys()].sort()).toEqual(requestNames.map(ipcRequestChannel).sort());
  });

  it('creates the window isolated, sandboxed, without Node, and shows it when ready', async () => {
    await makeApp().start();
    const window = theWindow();
    expect(window.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(window.options.show).toBe(false);
    expect(window.visible).toBe(false);
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
    expect(window.loaded).toEqual(['app://prunelab/index.html']);
    expect(electron.privilegedSchemes).toEqual(['app']);
    // Every permission request from a page is refused.
    expect(electron.permissionAnswers.length).toBeGreaterThan(0);
    expect(electron.permissionAnswers.every((granted) => granted === false)).toBe(true);
  });

  it('serves the page with a strict Content-Security-Policy and nothing outside the renderer folder', async () => {
    await makeApp().start();
    const handler = electron.protocolHandlers.get('app');
    if (!handler) throw new Error('app:// is not handled');
    const page = await handler(new Request('app://prunelab/index.html'));
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    await writeFile(join(dir, 'secret.txt'), 'outside the renderer');
    expect((await handler(new Request('app://prunelab/..%2fsecret.txt'))).status).toBe(404);
    expect((await handler(new Request('app://prunelab/%2e%2e%2f%2e%2e%2fetc%2fpasswd'))).status).toBe(404);
    // The URL parser folds dot segments, so this one stays inside: it is a client route, not a file.
    expect(
      await (await handler(new Request('app://prunelab/%2e%2e/%2e%2e/secret.txt'))).text(),
    ).not.toContain('outside');
    expect((await handler(new Request('app://elsewhere/index.html'))).status).toBe(404);
    expect(await (await handler(new Request('app://prunelab/runs/42'))).text()).toContain('PruneLab');
  });

  it('follows the OS theme with its background colour', async () => {
    await makeApp({ dark: true }).start();
    const window = theWindow();
    expect(window.options.backgroundColor).toBe('#16181d');
    electron.theme.shouldUseDarkColors = false;
    electron.theme.emit('updated');
    expect(window.background).toBe('#ffffff');
  });

  it('answers our page and refuses a message from an unknown sender, a sub-frame or a foreign origin', async () => {
    await makeApp().start();
    const window = theWindow();
    const channel = ipcRequestChannel('runs.get');
    const ok = await electron.invoke(channel, ourEvent(window), { id: 'r1' });
    expect(ok).toEqual({ ok: true, value: { echoed: 'runs.get' } });
    const strangers: IpcMainInvokeEventLike[] = [
      {
        sender: { ...window.webContents, id: 999 } as never,
        senderFrame: { url: 'app://prunelab/index.html', parent: null },
      },
      { sender: window.webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
      {
        sender: window.webContents,
        senderFrame: { url: 'app://prunelab/x', parent: { url: 'app://prunelab/', parent: null } },
      },
      { sender: window.webContents, senderFrame: null },
      { sender: window.webContents, senderFrame: { url: 'file:///etc/passwd', parent: null } },
    ];
    const before = services.calls.length;
    for (const event of strangers) {
      expect(await electron.invoke(channel, event, { id: 'r1' })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
    }
    expect(services.calls.length).toBe(before);
  });

  it('validates payloads through dispatch: errors come back as data, never thrown', async () => {
    await makeApp().start();
    const answer = await electron.invoke(ipcRequestChannel('datasets.import'), ourEvent(theWindow()), {
      path: '../../etc',
      __proto__: { polluted: true },
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('pushes every event of the contract to the window', async () => {
    await makeApp().start();
    const window = theWindow();
    services.emit('run.status', { runId: 'r1', status: 'done', error: null });
    expect(window.webContents.sent).toEqual([
      { channel: ipcEventChannel('run.status'), args: [{ runId: 'r1', status: 'done', error: null }] },
    ]);
    expect(services.listenerCount()).toBeGreaterThanOrEqual(eventNames.length);
  });

  it('on quit stops the jobs and closes the database before letting the app go', async () => {
    const app = makeApp();
    await app.start();
    let prevented = false;
    electron.app.emit('before-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await app.shutdown;
    expect(services.closed).toBe(1);
    expect(electron.app.quitCalls).toBe(1);
    // IPC handlers and event forwarding are gone.
    expect(electron.handlers.size).toBe(0);
    expect(services.listenerCount()).toBe(0);
  });

  it('blocks navigation and new windows, opening https links in the browser', async () => {
    await makeApp().start();
    const contents = theWindow().webContents;
    electron.app.emit('web-contents-created', {}, contents);
    expect(contents.navigate('will-navigate', 'https://example.org/docs')).toBe(true);
    expect(contents.navigate('will-navigate', 'http://example.org/')).toBe(true);
    expect(contents.navigate('will-navigate', 'javascript:alert(1)')).toBe(true);
    expect(contents.navigate('will-navigate', 'app://prunelab/index.html#/runs')).toBe(false);
    expect(contents.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://example.org/paper' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'http://example.org/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(electron.opened).toEqual(['https://example.org/docs', 'https://example.org/paper']);
    let webviewPrevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (webviewPrevented = true) });
    expect(webviewPrevented).toBe(true);
  });

  it('validates a dropped folder in main: a folder is imported, a file is refused with a message', async () => {
    await makeApp().start();
    const contents = theWindow().webContents;
    electron.app.emit('web-contents-created', {}, contents);
    await writeFile(join(dir, 'photo.png'), 'x');
    expect(contents.navigate('will-navigate', pathToFileURL(join(dir, 'photo.png')).href)).toBe(true);
    await expect.poll(() => electron.messageBoxes.length).toBe(1);
    expect(electron.messageBoxes[0]?.detail).toContain('is a file');
    expect(services.calls.filter((c) => c.name === 'datasets.import')).toEqual([]);
    expect(contents.navigate('will-navigate', pathToFileURL(join(dir, 'pets')).href)).toBe(true);
    await expect.poll(() => services.calls.filter((c) => c.name === 'datasets.import').length).toBe(1);
    expect(services.calls.find((c) => c.name === 'datasets.import')?.payload).toMatchObject({
      path: join(dir, 'pets'),
    });
    // The imported folder becomes the first recent dataset and the menu is rebuilt with it.
    await expect.poll(() => services.settings.recentDatasets).toEqual([join(dir, 'pets')]);
    const menu = electron.menus.at(-1) ?? [];
    expect(findItem(menu, 'Open recent')?.submenu?.[0]).toMatchObject({ accelerator: 'CmdOrCtrl+1' });
  });

  it('holds a single-instance lock: a second launch focuses the window and hands over its dataset path', async () => {
    await makeApp().start();
    const window = theWindow();
    window.minimized = true;
    window.focused = false;
    electron.app.emit('second-instance', {}, ['/usr/bin/electron', '/app', '--some-switch'], dir, {
      datasetPath: join(dir, 'pets'),
    });
    expect(window.minimized).toBe(false);
    expect(window.focused).toBe(true);
    await expect.poll(() => services.calls.filter((c) => c.name === 'datasets.import').length).toBe(1);
  });

  it('quits at once when another instance holds the lock, passing its dataset path along', async () => {
    const app = makeApp({ lock: false, argv: ['/usr/bin/electron', '/app', 'pets'] });
    expect(await app.start()).toBe(false);
    expect(electron.app.lockData).toEqual({ datasetPath: join(dir, 'pets') });
    expect(electron.app.quitCalls).toBe(1);
    expect(FakeBrowserWindow.created).toEqual([]);
  });

  it('imports a folder macOS hands over (dropped on the dock icon)', async () => {
    await makeApp().start();
    let prevented = false;
    electron.app.emit('open-file', { preventDefault: () => (prevented = true) }, join(dir, 'pets'));
    expect(prevented).toBe(true);
    await expect.poll(() => services.calls.filter((c) => c.name === 'datasets.import').length).toBe(1);
  });

  it('in development loads the dev server, trusts its origin only, and still sends the CSP', async () => {
    await makeApp({ devServerUrl: 'http://localhost:5173/' }).start();
    const window = theWindow();
    expect(window.loaded).toEqual(['http://localhost:5173/']);
    const fromDev = {
      sender: window.webContents,
      senderFrame: { url: 'http://localhost:5173/#/runs', parent: null },
    };
    expect(await electron.invoke(ipcRequestChannel('jobs.list'), fromDev, {})).toMatchObject({ ok: true });
    const otherPort = {
      sender: window.webContents,
      senderFrame: { url: 'http://localhost:5174/', parent: null },
    };
    expect(await electron.invoke(ipcRequestChannel('jobs.list'), otherPort, {})).toMatchObject({ ok: false });
    let headers: Record<string, string[]> = {};
    electron.headerListeners[0]?.(
      { url: 'http://localhost:5173/', responseHeaders: {} },
      (r) => (headers = r.responseHeaders),
    );
    expect(headers['Content-Security-Policy']?.[0]).toContain("script-src 'self' http://localhost:5173");
    expect(headers['Content-Security-Policy']?.[0]).not.toContain('unsafe-eval');
  });

  it('in an installed build ignores a dev-server URL from the environment: app:// only, no trust for it', async () => {
    // Anyone who can set ELECTRON_RENDERER_URL for the packaged app must not get it to load their page.
    await makeApp({ isPackaged: true, devServerUrl: 'http://localhost:5173/' }).start();
    const window = theWindow();
    expect(window.loaded).toEqual(['app://prunelab/index.html']);
    const fromDev = {
      sender: window.webContents,
      senderFrame: { url: 'http://localhost:5173/', parent: null },
    };
    expect(await electron.invoke(ipcRequestChannel('jobs.list'), fromDev, {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(electron.headerListeners).toHaveLength(0);
    expect(await electron.invoke(ipcRequestChannel('jobs.list'), ourEvent(window), {})).toMatchObject({
      ok: true,
    });
  });

  it('imports a dataset path given on the first launch', async () => {
    await makeApp({ argv: ['/usr/bin/electron', '/app', join(dir, 'pets')] }).start();
    await expect.poll(() => services.calls.filter((c) => c.name === 'datasets.import').length).toBe(1);
  });

  it('has the File/Edit/View/Window/Help menu with standard shortcuts, importing through a native dialog', async () => {
    await makeApp().start();
    const menu = electron.menus.at(-1) ?? [];
    expect(menu.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'help']);
    const importItem = findItem(menu, 'Import dataset…');
    expect(importItem?.accelerator).toBe('CmdOrCtrl+O');
    expect(findItem(menu, 'Export model…')?.accelerator).toBe('CmdOrCtrl+E');
    expect(menu[0]?.submenu?.some((i) => i.role === 'quit')).toBe(true);
    electron.nextOpenDialog = { canceled: false, filePaths: [join(dir, 'pets')] };
    importItem?.click?.();
    await expect.poll(() => services.calls.filter((c) => c.name === 'datasets.import').length).toBe(1);
    expect(electron.openDialogs[0]?.properties).toEqual(['openDirectory']);
  });

  it('hands Export model… and New run… to the page, which knows the run on screen', async () => {
    await makeApp().start();
    const menu = electron.menus.at(-1) ?? [];
    const contents = theWindow().webContents;
    findItem(menu, 'Export model…')?.click?.();
    expect(findItem(menu, 'New run…')?.accelerator).toBe('CmdOrCtrl+N');
    findItem(menu, 'New run…')?.click?.();
    expect(contents.sent).toEqual([
      { channel: ipcEventChannel('app.command'), args: [{ command: 'export-model' }] },
      { channel: ipcEventChannel('app.command'), args: [{ command: 'new-run' }] },
    ]);
    // No native dialog chain while a page can take the command.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(electron.messageBoxes).toEqual([]);
    expect(services.calls.some((c) => c.name === 'runs.list')).toBe(false);
  });

  it('falls back to native dialogs for Export model… when no page can receive the command', async () => {
    await makeApp().start();
    const contents = theWindow().webContents;
    contents.destroyed = true;
    findItem(electron.menus.at(-1) ?? [], 'Export model…')?.click?.();
    await expect.poll(() => electron.messageBoxes.length).toBe(1);
    expect(services.calls.some((c) => c.name === 'runs.list')).toBe(true);
    expect(electron.messageBoxes[0]?.message).toBe('There is no finished model to export yet');
    expect(contents.sent).toEqual([]);
  });

  it('Export model… (native dialogs) replaces an earlier export in the chosen folder only when the user says so', async () => {
    for (const [answer, replaced] of [
      [0, true],
      [1, false],
    ] as const) {
      const app = makeApp();
      const plain = services.dispatch;
      services.dispatch = async (name, raw) => {
        if (name === 'runs.list')
          return { ok: true, value: [{ id: 'r1', name: 'pruned', kind: 'prune', status: 'done' }] };
        if (name === 'exports.create') {
          const checked = await plain(name, raw);
          if (!checked.ok || (raw as { overwrite?: boolean }).overwrite) return checked;
          const message = '/x/prunelab-r1 already holds a PruneLab export (run r1, tfjs float32)';
          return { ok: false, error: { code: 'CONFLICT', message, details: { existing: 'export' } } };
        }
        return plain(name, raw);
      };
      await app.start();
      theWindow().webContents.destroyed = true;
      electron.messageBoxResponse = answer;
      electron.nextOpenDialog = { canceled: false, filePaths: [join(dir, 'models')] };
      findItem(electron.menus.at(-1) ?? [], 'Export model…')?.click?.();
      await expect.poll(() => electron.messageBoxes.length).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(electron.messageBoxes[1]).toMatchObject({
        message: 'Replace the earlier export?',
        detail: expect.stringContaining('already holds a PruneLab export'),
      });
      const creates = services.calls.filter((c) => c.name === 'exports.create');
      expect(creates.map((c) => (c.payload as { overwrite: boolean }).overwrite)).toEqual(
        replaced ? [false, true] : [false],
      );
    }
  });

  it('lists at most nine recent datasets with Ctrl/Cmd+1…9', async () => {
    const app = makeApp();
    await app.start();
    services.settings.recentDatasets = Array.from({ length: 12 }, (_, i) => `/data/set${i}`);
    await app.actions?.importFolder(join(dir, 'pets'));
    const recent = findItem(electron.menus.at(-1) ?? [], 'Open recent')?.submenu ?? [];
    expect(recent).toHaveLength(9);
    expect(recent.map((r) => r.accelerator)).toEqual(
      Array.from({ length: 9 }, (_, i) => `CmdOrCtrl+${i + 1}`),
    );
    expect(recent[0]?.label).toContain(join(dir, 'pets'));
  });

  it('shows job progress on the taskbar and notifies when a long job ends while unfocused', async () => {
    await makeApp().start();
    const window = theWindow();
    const progress = { kind: 'train' as const, runId: 'r1', datasetId: null, phase: 'train' };
    services.emit('job.progress', { ...progress, jobId: 'j1', done: 1, total: 4 });
    services.emit('job.progress', { ...progress, jobId: 'j2', done: 3, total: 4 });
    expect(window.progress.at(-1)).toBe(0.5);
    clock = 60_000;
    window.focused = false;
    const finished = {
      kind: 'train' as const,
      status: 'done' as const,
      runId: 'r1',
      datasetId: null,
      artifactId: null,
      error: null,
    };
    services.emit('job.finished', { ...finished, jobId: 'j1' });
    expect(window.progress.at(-1)).toBe(0.75);
    window.focused = true;
    services.emit('job.finished', { ...finished, jobId: 'j2' });
    expect(window.progress.at(-1)).toBe(-1);
    expect(electron.notifications).toEqual([{ title: 'Training finished', body: 'run r1' }]);
  });

  it('restores the saved window bounds, and ignores bounds that are off every display', async () => {
    await mkdir(join(dir, 'data'), { recursive: true });
    const stateFile = join(dir, 'data', 'window-state.json');
    await writeFile(
      stateFile,
      JSON.stringify({ bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true }),
    );
    await makeApp().start();
    const window = theWindow();
    expect(window.options).toMatchObject({ x: 100, y: 50, width: 1000, height: 700 });
    window.emit('ready-to-show');
    expect(window.maximized).toBe(true);
    window.bounds = { x: 10, y: 20, width: 1100, height: 750 };
    window.emit('close');
    await expect
      .poll(async () => JSON.parse(await readFile(stateFile, 'utf8')))
      .toEqual({ bounds: { x: 10, y: 20, width: 1100, height: 750 }, maximized: true });

    await writeFile(
      stateFile,
      JSON.stringify({ bounds: { x: 5000, y: 5000, width: 1000, height: 700 }, maximized: false }),
    );
    await makeApp().start();
    expect(theWindow().options.x).toBeUndefined();
  });

  it('says why and exits when the services cannot start (e.g. a newer database)', async () => {
    electron = createFakeElectron();
    const app = createMainApp({
      electron,
      createServices: async () => {
        throw new Error('the database was written by a newer PruneLab');
      },
      dataDir: join(dir, 'data'),
      preloadPath: '/p.cjs',
      rendererDir: join(dir, 'renderer'),
      devServerUrl: null,
      workerEntry: '/w.js',
      argv: ['/e', '/app'],
      cwd: dir,
      platform: 'linux',
    });
    await app.start();
    expect(electron.errorBoxes[0]?.content).toContain('newer PruneLab');
    expect(electron.app.exitCode).toBe(1);
    expect(FakeBrowserWindow.created).toEqual([]);
  });
});
