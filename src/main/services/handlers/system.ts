// system.info / system.reveal / presets.list. Engine modules load lazily: the process that owns the UI
// pays for tfjs only when it is first asked about backends or presets.
import { existsSync } from 'node:fs';
import type { Handlers } from '../../../shared/api';
import type { BackendInfo, PresetInfo, SystemInfo } from '../../../shared/dto';
import type { ServiceContext } from '../context';
import { unsupported } from '../errors';
import { bundledSampleIfPresent } from '../sample';

type SystemHandlers = Pick<Handlers, 'system.info' | 'system.reveal' | 'presets.list'>;

export interface SystemOptions {
  /** The bundled sample dataset, if it ships here. */
  sampleDatasetPath?: string | null;
  /** Shows a path in the OS file manager (Electron only). */
  reveal?: (path: string) => Promise<boolean>;
}

// Variable specifiers: optional packages that may be absent must not be resolved at build time.
const optionalModules = {
  tfjsNode: '@tensorflow/tfjs-node',
  electron: 'electron',
  onnxruntime: 'onnxruntime-node',
};

async function canImport(specifier: string): Promise<boolean> {
  try {
    const mod = (await import(/* @vite-ignore */ specifier)) as { default?: unknown };
    // The electron package exports the binary's path and throws when the binary was never downloaded.
    if (specifier === 'electron' && typeof mod.default === 'string') return existsSync(mod.default);
    return true;
  } catch {
    return false;
  }
}

export async function findMissingPieces(mode: SystemInfo['mode']): Promise<SystemInfo['missing']> {
  const missing: SystemInfo['missing'] = [];
  if (!(await canImport(optionalModules.tfjsNode))) {
    missing.push({
      piece: '@tensorflow/tfjs-node (native TensorFlow)',
      effect: 'training runs on the WebAssembly backend, several times slower than native',
    });
  }
  if (!(await canImport(optionalModules.onnxruntime))) {
    missing.push({ piece: 'onnxruntime-node', effect: 'ONNX exports cannot be parity-checked' });
  }
  if (mode !== 'electron' && !(await canImport(optionalModules.electron))) {
    missing.push({
      piece: 'Electron binary',
      effect: 'the desktop window cannot start; use `npm run serve` instead',
    });
  }
  return missing;
}

export function createSystemHandlers(ctx: ServiceContext, options: SystemOptions = {}): SystemHandlers {
  let backend: Promise<BackendInfo> | null = null;
  let missing: Promise<SystemInfo['missing']> | null = null;
  return {
    async 'system.info'() {
      backend ??= import('../../engine/backend').then((m) => m.initBackend());
      missing ??= findMissingPieces(ctx.mode);
      return {
        appVersion: ctx.appVersion,
        mode: ctx.mode,
        dataDir: ctx.dataDir,
        backend: await backend,
        missing: await missing,
        sampleDatasetPath:
          options.sampleDatasetPath === undefined ? bundledSampleIfPresent() : options.sampleDatasetPath,
      };
    },

    async 'system.reveal'({ path }) {
      if (!options.reveal)
        throw unsupported(`revealing files is only available in the desktop app (mode: ${ctx.mode})`);
      return { revealed: await options.reveal(path) };
    },

    async 'presets.list'({ inputShape, classes }) {
      const models = await import('../../engine/models');
      const shape = inputShape ?? [28, 28, 1];
      const classCount = classes ?? 10;
      const infos: PresetInfo[] = [];
      for (const name of models.presetNames) {
        if (models.presetUnfitReason(name, shape, classCount) !== null) continue;
        infos.push(models.describePreset(name, shape, classCount));
      }
      return infos;
    },
  };
}
