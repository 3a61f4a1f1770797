// The part of Electron's main-process API this app uses, written as structural types. Electron's own
// typings ship with its (optional, here missing) package, and tests pass fakes of exactly this shape
// (createMainApp({ electron })), so the wiring is testable without the Electron binary.

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WebFrameMainLike {
  url: string;
  /** null for the top frame. */
  parent: WebFrameMainLike | null;
}

export interface NavigationEventLike {
  preventDefault(): void;
}

export interface WebContentsLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: NavigationEventLike, url: string) => void,
  ): void;
  on(event: 'will-attach-webview', listener: (event: NavigationEventLike) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  isDestroyed(): boolean;
}

export interface WebPreferencesLike {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  navigateOnDragDrop: boolean;
  spellcheck: boolean;
}

export interface BrowserWindowOptionsLike {
  show: boolean;
  width: number;
  height: number;
  x?: number;
  y?: number;
  minWidth: number;
  minHeight: number;
  title: string;
  backgroundColor: string;
  icon?: string;
  webPreferences: WebPreferencesLike;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  once(event: 'ready-to-show', listener: () => void): void;
  on(event: 'close' | 'closed' | 'focus' | 'blur', listener: () => void): void;
  show(): void;
  focus(): void;
  restore(): void;
  maximize(): void;
  isMinimized(): boolean;
  isMaximized(): boolean;
  isFocused(): boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Rectangle;
  setBackgroundColor(color: string): void;
  /** 0..1 shows progress; a negative value removes it. */
  setProgressBar(progress: number): void;
  loadURL(url: string): Promise<void>;
}

export interface IpcMainInvokeEventLike {
  sender: WebContentsLike;
  senderFrame: WebFrameMainLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface MenuItemOptionsLike {
  label?: string;
  role?: string;
  type?: 'normal' | 'separator' | 'submenu';
  accelerator?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemOptionsLike[];
}

export interface MenuStaticLike {
  buildFromTemplate(template: MenuItemOptionsLike[]): unknown;
  setApplicationMenu(menu: unknown): void;
}

export interface OpenDialogOptionsLike {
  title: string;
  buttonLabel?: string;
  properties: ('openDirectory' | 'createDirectory' | 'openFile')[];
  defaultPath?: string;
}

export interface MessageBoxOptionsLike {
  type: 'none' | 'info' | 'error' | 'question' | 'warning';
  title?: string;
  message: string;
  detail?: string;
  buttons: string[];
  cancelId?: number;
  defaultId?: number;
}

export interface DialogLike {
  showOpenDialog(
    window: BrowserWindowLike,
    options: OpenDialogOptionsLike,
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
  showMessageBox(window: BrowserWindowLike, options: MessageBoxOptionsLike): Promise<{ response: number }>;
  /** Usable before any window exists (e.g. the database cannot be opened). */
  showErrorBox(title: string, content: string): void;
}

export interface ProtocolLike {
  registerSchemesAsPrivileged(
    schemes: {
      scheme: string;
      privileges: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean };
    }[],
  ): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
}

export interface AppLike {
  readonly isPackaged: boolean;
  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean;
  on(
    event: 'second-instance',
    listener: (event: unknown, argv: string[], cwd: string, additionalData: unknown) => void,
  ): void;
  on(event: 'before-quit', listener: (event: NavigationEventLike) => void): void;
  /** macOS: a folder dropped on the dock icon or opened with the app. */
  on(event: 'open-file', listener: (event: NavigationEventLike, path: string) => void): void;
  on(event: 'window-all-closed' | 'activate', listener: () => void): void;
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): void;
  whenReady(): Promise<void>;
  quit(): void;
  exit(code?: number): void;
  getVersion(): string;
  setAppUserModelId?(id: string): void;
}

export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  kill(): boolean;
  readonly stderr: NodeJS.ReadableStream | null;
  readonly stdout: NodeJS.ReadableStream | null;
}

export interface UtilityProcessStaticLike {
  fork(
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; stdio?: 'pipe' | 'ignore' | 'inherit'; env?: NodeJS.ProcessEnv },
  ): UtilityProcessLike;
}

export interface ElectronMain {
  app: AppLike;
  BrowserWindow: new (options: BrowserWindowOptionsLike) => BrowserWindowLike;
  ipcMain: IpcMainLike;
  Menu: MenuStaticLike;
  dialog: DialogLike;
  shell: { openExternal(url: string): Promise<void>; showItemInFolder(path: string): void };
  nativeTheme: { readonly shouldUseDarkColors: boolean; on(event: 'updated', listener: () => void): void };
  Notification: (new (options: { title: string; body: string }) => { show(): void }) & {
    isSupported(): boolean;
  };
  protocol: ProtocolLike;
  session: { defaultSession: SessionLike };
  screen: { getAllDisplays(): { workArea: Rectangle }[] };
  utilityProcess: UtilityProcessStaticLike;
}
