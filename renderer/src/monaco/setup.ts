// Monaco, offline and lean: the editor API core plus only the features the inspector uses,
// and the one editor worker bundled by Vite (`?worker`), so nothing is fetched from a CDN
// and the page runs under `script-src 'self'; worker-src 'self' blob:`.
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/codeEditor/register';
import 'monaco-editor/features/diffEditor/register';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/wordHighlighter/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { registerLanguages } from './languages.ts';

declare global {
  interface Window {
    MonacoEnvironment?: monaco.Environment;
  }
}

self.MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

registerLanguages(monaco);

// One token list, two palettes: each token's [light, dark] colour and whether it is bold.
const TOKEN_COLOURS: [token: string, light: string, dark: string, bold?: true][] = [
  ['header.name', '0550ae', '79c0ff', true],
  ['header.name.auth', '8250df', 'd2a8ff', true],
  ['tag.name', '953800', 'ffa657'],
  ['tag.value', '116329', '7ee787'],
  ['body', '57606a', '8b949e'],
  ['zone.owner', '0550ae', '79c0ff', true],
  ['zone.type', '8250df', 'd2a8ff', true],
  ['zone.directive', 'cf222e', 'ff7b72'],
];
for (const [name, base, column] of [['authlab-light', 'vs', 1], ['authlab-dark', 'vs-dark', 2]] as const) {
  monaco.editor.defineTheme(name, {
    base,
    inherit: true,
    rules: TOKEN_COLOURS.map((t) => ({ token: t[0], foreground: t[column], ...(t[3] ? { fontStyle: 'bold' } : {}) })),
    colors: {},
  });
}

export function setMonacoTheme(theme: 'light' | 'dark'): void {
  monaco.editor.setTheme(theme === 'dark' ? 'authlab-dark' : 'authlab-light');
}

export { monaco };
