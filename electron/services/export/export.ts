// exportReport: one report → a file's name, MIME type and text.

import type { ExportedFile, ExportFormat } from '../../../shared/ipc/contract.ts';
import type { MessageReport } from '../../../shared/report.ts';
import { reportToHtml } from './html.ts';
import { reportToMarkdown } from './markdown.ts';

const KINDS: Record<ExportFormat, { ext: string; mime: string }> = {
  json: { ext: 'json', mime: 'application/json' },
  markdown: { ext: 'md', mime: 'text/markdown; charset=utf-8' },
  html: { ext: 'html', mime: 'text/html; charset=utf-8' },
};

/** authlab-<date>-<subject slug>.<ext>: safe on every file system. */
export function exportFileName(report: MessageReport, ext: string): string {
  const date = /^\d{4}-\d{2}-\d{2}/.exec(String(report.evaluatedAt ?? ''))?.[0];
  const slug = String(report.input?.subject ?? report.input?.messageId ?? '')
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  const index = typeof report.index === 'number' && report.index > 0 ? `-${report.index + 1}` : '';
  return ['authlab', date, slug || 'report'].filter(Boolean).join('-') + index + `.${ext}`;
}

export function exportReport(format: ExportFormat, report: MessageReport): ExportedFile {
  const kind = KINDS[format];
  const content =
    format === 'json' ? JSON.stringify(report, null, 2) + '\n' : format === 'markdown' ? reportToMarkdown(report) : reportToHtml(report);
  return { fileName: exportFileName(report, kind.ext), mime: kind.mime, content };
}
