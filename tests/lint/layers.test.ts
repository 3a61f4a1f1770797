// The import rules of DESIGN.md are enforced by ESLint; this proves the rules bite by linting planted
// violations (as in-memory source text) under each layer's path.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['src/main/engine/train/x.ts', "import { app } from 'electron';"],
    ['src/main/engine/prune/x.ts', "import Database from 'better-sqlite3';"],
    ['src/main/engine/data/x.ts', "import { openStore } from '../../store';"],
    ['src/shared/x.ts', "import { readFileSync } from 'node:fs';"],
    ['src/shared/x.ts', "import * as tf from '@tensorflow/tfjs';"],
    ['src/main/store/x.ts', "import { trainTask } from '../engine/tasks/trainTask';"],
    ['src/main/services/x.ts', "import { BrowserWindow } from 'electron';"],
    ['src/renderer/x.ts', "import { createAppServices } from '../main/services';"],
    ['src/renderer/x.ts', "import { ipcRenderer } from 'electron';"],
  ])('%s may not: %s', async (file, source) => {
    expect(await restrictedImports(file, `${source}\nexport const x = 1;\n`)).not.toEqual([]);
  });

  it.each([
    ['src/main/engine/train/x.ts', "import * as tf from '@tensorflow/tfjs';"],
    ['src/main/store/x.ts', "import Database from 'better-sqlite3';"],
    ['src/main/app/x.ts', "import { app } from 'electron';"],
    ['src/renderer/x.ts', "import type { RunSummary } from '../shared/dto';"],
  ])('%s may: %s', async (file, source) => {
    expect(await restrictedImports(file, `${source}\nexport const x = 1;\n`)).toEqual([]);
  });
});
