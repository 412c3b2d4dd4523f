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

monaco.editor.defineTheme('authlab-light', {
  base: 'vs',
  inherit: true,
  rules: [
    { token: 'header.name', foreground: '0550ae', fontStyle: 'bold' },
    { token: 'header.name.auth', foreground: '8250df', fontStyle: 'bold' },
    { token: 'tag.name', foreground: '953800' },
    { token: 'tag.value', foreground: '116329' },
    { token: 'body', foreground: '57606a' },
    { token: 'zone.owner', foreground: '0550ae', fontStyle: 'bold' },
    { token: 'zone.type', foreground: '8250df', fontStyle: 'bold' },
    { token: 'zone.directive', foreground: 'cf222e' },
  ],
  colors: {},
});
monaco.editor.defineTheme('authlab-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [
    { token: 'header.name', foreground: '79c0ff', fontStyle: 'bold' },
    { token: 'header.name.auth', foreground: 'd2a8ff', fontStyle: 'bold' },
    { token: 'tag.name', foreground: 'ffa657' },
    { token: 'tag.value', foreground: '7ee787' },
    { token: 'body', foreground: '8b949e' },
    { token: 'zone.owner', foreground: '79c0ff', fontStyle: 'bold' },
    { token: 'zone.type', foreground: 'd2a8ff', fontStyle: 'bold' },
    { token: 'zone.directive', foreground: 'ff7b72' },
  ],
  colors: {},
});

export function setMonacoTheme(theme: 'light' | 'dark'): void {
  monaco.editor.setTheme(theme === 'dark' ? 'authlab-dark' : 'authlab-light');
}

export { monaco };
