import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { load } from 'js-yaml';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  extraResources: { from: string; to: string }[];
  directories: { output: string; buildResources: string };
  linux: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  electronFuses?: Record<string, boolean>;
}

const config = load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  productName: string;
  scripts: Record<string, string>;
};

describe('the installer configuration (electron-builder.yml)', () => {
  it('builds AppImage + deb on Linux, NSIS on Windows and a dmg on macOS', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(pkg.scripts.dist).toBe('electron-vite build && electron-builder');
  });

  it('names the app and takes its icons from resources/', async () => {
    expect(config.appId).toBe('org.prunelab.app');
    expect(config.productName).toBe('PruneLab');
    expect(pkg.productName).toBe('PruneLab');
    for (const icon of [config.win.icon, config.mac.icon]) {
      const meta = await sharp(join(root, icon)).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBeGreaterThanOrEqual(512);
    }
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      const meta = await sharp(join(root, config.linux.icon, `${size}x${size}.png`)).metadata();
      expect([meta.width, meta.height]).toEqual([size, size]);
    }
  });

  it('packs into an asar but unpacks every native module', () => {
    expect(config.asar).toBe(true);
    for (const native of ['@tensorflow/tfjs-node', 'better-sqlite3', 'sharp', 'onnxruntime-node']) {
      expect(config.asarUnpack).toContain(`node_modules/${native}/**`);
    }
    expect(config.asarUnpack).toContain('**/*.node');
  });

  it('ships the build output and package.json, never sources or tests', () => {
    expect(config.files).toContain('out/**');
    expect(config.files).toContain('package.json');
    for (const excluded of ['!src/**', '!tests/**', '!**/*.map']) expect(config.files).toContain(excluded);
    expect(pkg.main).toBe('./out/main/index.js');
    expect(config.extraResources.map((r) => r.from)).toEqual(['resources/icons', 'resources/sample']);
    for (const r of config.extraResources) expect(existsSync(join(root, r.from))).toBe(true);
  });
});

describe('the Electron fuses of installed builds', () => {
  it('are flipped so the shipped binary cannot be turned into a general Node runtime or fed other code', () => {
    expect(config.electronFuses).toEqual({
      // ELECTRON_RUN_AS_NODE, NODE_OPTIONS and --inspect would let anyone who can start the app run
      // arbitrary code with its identity; the job worker uses utilityProcess and parity a worker thread.
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      // Only the signed app.asar is loaded, and its contents are checked against the embedded hash.
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      // Pages come from app://, never file://.
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it("pass electron-builder's own schema (a misspelt key would be refused by `npm run dist`)", async () => {
    const requireFromHere = createRequire(import.meta.url);
    const { validateConfiguration } = requireFromHere('app-builder-lib/out/util/config/config') as {
      validateConfiguration(config: unknown, logger: unknown): Promise<void>;
    };
    const quietLogger = { isEnabled: false, add: () => undefined };
    await expect(validateConfiguration(structuredClone(config), quietLogger)).resolves.toBeUndefined();
    const misspelt = { ...structuredClone(config), electronFuses: { runAsNod: false } };
    await expect(validateConfiguration(misspelt, quietLogger)).rejects.toThrow(/electronFuses/);
  });
});
