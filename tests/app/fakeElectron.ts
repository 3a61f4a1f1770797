// A fake of the Electron main-process surface the app uses (src/main/app/electronTypes.ts): records
// what the app asks of Electron and lets tests fire Electron's events.
import { EventEmitter } from 'node:events';
import type {
  BrowserWindowLike,
  BrowserWindowOptionsLike,
  ElectronMain,
  IpcMainInvokeEventLike,
  MenuItemOptionsLike,
  MessageBoxOptionsLike,
  NavigationEventLike,
  OpenDialogOptionsLike,
  Rectangle,
  UtilityProcessLike,
  WebContentsLike,
} from '../../src/main/app/electronTypes';

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter implements WebContentsLike {
  readonly id = nextContentsId++;
  sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' } | { action: 'allow' }) | null = null;
  destroyed = false;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(
    handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' },
  ): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Fires a navigation event; returns whether the app prevented it. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    const e: NavigationEventLike = { preventDefault: () => (prevented = true) };
    this.emit(event, e, url);
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter implements BrowserWindowLike {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  focused = true;
  minimized = false;
  maximized = false;
  destroyed = false;
  background: string;
  progress: number[] = [];
  loaded: string[] = [];
  bounds: Rectangle;
  constructor(readonly options: BrowserWindowOptionsLike) {
    super();
    this.background = options.backgroundColor;
    this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width, height: options.height };
    FakeBrowserWindow.created.push(this);
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {
    this.minimized = false;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getNormalBounds(): Rectangle {
    return this.bounds;
  }
  setBackgroundColor(color: string): void {
    this.background = color;
  }
  setProgressBar(progress: number): void {
    this.progress.push(progress);
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
}

export interface FakeElectron extends ElectronMain {
  app: ElectronMain['app'] &
    EventEmitter & { quitCalls: number; exitCode: number | null; lock: boolean; lockData: unknown };
  handlers: Map<string, (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown>;
  menus: MenuItemOptionsLike[][];
  opened: string[];
  revealed: string[];
  notifications: { title: string; body: string }[];
  messageBoxes: MessageBoxOptionsLike[];
  errorBoxes: { title: string; content: string }[];
  openDialogs: OpenDialogOptionsLike[];
  /** What the next showOpenDialog answers. */
  nextOpenDialog: { canceled: boolean; filePaths: string[] };
  /** What showMessageBox answers (button index). */
  messageBoxResponse: number;
  theme: EventEmitter & { shouldUseDarkColors: boolean };
  protocolHandlers: Map<string, (request: Request) => Response | Promise<Response>>;
  privilegedSchemes: string[];
  permissionAnswers: boolean[];
  headerListeners: ((
    details: { url: string; responseHeaders?: Record<string, string[]> },
    callback: (response: { responseHeaders: Record<string, string[]> }) => void,
  ) => void)[];
  displays: Rectangle[];
  utilityChildren: FakeUtilityProcess[];
  /** Calls one request's IPC handler as a given sender. */
  invoke(channel: string, event: IpcMainInvokeEventLike, payload: unknown): Promise<unknown>;
}

export class FakeUtilityProcess extends EventEmitter implements UtilityProcessLike {
  pid = 4242;
  posted: unknown[] = [];
  killed = false;
  stderr = new (class extends EventEmitter {})() as unknown as NodeJS.ReadableStream;
  stdout = null;
  constructor(
    readonly modulePath: string,
    readonly forkOptions: unknown,
  ) {
    super();
  }
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

export function createFakeElectron(
  options: { lock?: boolean; dark?: boolean; isPackaged?: boolean } = {},
): FakeElectron {
  FakeBrowserWindow.created = [];
  const app = Object.assign(new EventEmitter(), {
    isPackaged: options.isPackaged ?? false,
    quitCalls: 0,
    exitCode: null as number | null,
    lock: options.lock ?? true,
    lockData: undefined as unknown,
    requestSingleInstanceLock(data?: Record<string, unknown>) {
      app.lockData = data;
      return app.lock;
    },
    whenReady: () => Promise.resolve(),
    quit() {
      app.quitCalls += 1;
      const event = { prevented: false, preventDefault: () => (event.prevented = true) };
      app.emit('before-quit', event);
    },
    exit(code = 0) {
      app.exitCode = code;
    },
    getVersion: () => '0.1.0',
  });
  const handlers = new Map<string, (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown>();
  const theme = Object.assign(new EventEmitter(), { shouldUseDarkColors: options.dark ?? false });
  const fake: FakeElectron = {
    app: app as FakeElectron['app'],
    handlers,
    menus: [],
    opened: [],
    revealed: [],
    notifications: [],
    messageBoxes: [],
    errorBoxes: [],
    openDialogs: [],
    nextOpenDialog: { canceled: true, filePaths: [] },
    messageBoxResponse: 0,
    theme,
    protocolHandlers: new Map(),
    privilegedSchemes: [],
    permissionAnswers: [],
    headerListeners: [],
    displays: [{ x: 0, y: 0, width: 1920, height: 1080 }],
    utilityChildren: [],
    BrowserWindow: FakeBrowserWindow,
    ipcMain: {
      handle: (channel, listener) => {
        if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        handlers.set(channel, listener);
      },
      removeHandler: (channel) => void handlers.delete(channel),
    },
    Menu: {
      buildFromTemplate: (template) => template,
      setApplicationMenu: (menu) => void fake.menus.push(menu as MenuItemOptionsLike[]),
    },
    dialog: {
      showOpenDialog: async (_window, opts) => {
        fake.openDialogs.push(opts);
        return fake.nextOpenDialog;
      },
      showMessageBox: async (_window, opts) => {
        fake.messageBoxes.push(opts);
        return { response: fake.messageBoxResponse };
      },
      showErrorBox: (title, content) => void fake.errorBoxes.push({ title, content }),
    },
    shell: {
      openExternal: async (url) => void fake.opened.push(url),
      showItemInFolder: (path) => void fake.revealed.push(path),
    },
    nativeTheme: theme,
    Notification: Object.assign(
      class {
        constructor(private readonly o: { title: string; body: string }) {}
        show() {
          fake.notifications.push(this.o);
        }
      },
      { isSupported: () => true },
    ),
    protocol: {
      registerSchemesAsPrivileged: (schemes) =>
        void fake.privilegedSchemes.push(...schemes.map((s) => s.scheme)),
      handle: (scheme, handler) => void fake.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler) => {
          handler(null, 'media', (granted) => fake.permissionAnswers.push(granted));
          handler(null, 'geolocation', (granted) => fake.permissionAnswers.push(granted));
        },
        setPermissionCheckHandler: (handler) => void fake.permissionAnswers.push(handler()),
        webRequest: { onHeadersReceived: (listener) => void fake.headerListeners.push(listener) },
      },
    },
    screen: { getAllDisplays: () => fake.displays.map((workArea) => ({ workArea })) },
    utilityProcess: {
      fork: (modulePath, _args, forkOptions) => {
        const child = new FakeUtilityProcess(modulePath, forkOptions);
        fake.utilityChildren.push(child);
        return child;
      },
    },
    async invoke(channel, event, payload) {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`no handler for ${channel}`);
      return handler(event, payload);
    },
  };
  return fake;
}
