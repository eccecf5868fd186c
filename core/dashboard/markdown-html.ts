import { escapeHtml } from './escape.js';

// Just enough Markdown for benchbot's own reports (core/report renderMarkdown): headings,
// paragraphs, **bold**, `code`, pipe tables, "- " lists and the <details> wrapper it emits. Every
// other character is escaped, so text from benchmark tools cannot inject HTML.

function inline(text: string): string {
  const out: string[] = [];
  let rest = text;
  for (;;) {
    const code = /(`+)(.+?)\1(?!`)/.exec(rest);
    const before = code === null ? rest : rest.slice(0, code.index);
    out.push(escapeHtml(before).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>'));
    if (code === null) break;
    out.push(`<code>${escapeHtml((code[2] as string).trim())}</code>`);
    rest = rest.slice(code.index + code[0].length);
  }
  return out.join('');
}

/** Cells of a pipe-table row; `\|` is a literal bar. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll('\\|', '|'));
}

function table(lines: readonly string[]): string {
  const [head, separator, ...body] = lines;
  const aligns = cells(separator ?? '').map((s) =>
    s.startsWith(':') && s.endsWith(':') ? 'center' : s.endsWith(':') ? 'right' : 'left',
  );
  const cell = (tag: string, text: string, i: number) =>
    `<${tag}${aligns[i] === 'left' || aligns[i] === undefined ? '' : ` class="${aligns[i]}"`}>${inline(text)}</${tag}>`;
  return [
    '<table><thead><tr>',
    ...cells(head ?? '').map((c, i) => cell('th', c, i)),
    '</tr></thead><tbody>',
    ...body.map(
      (row) =>
        `<tr>${cells(row)
          .map((c, i) => cell('td', c, i))
          .join('')}</tr>`,
    ),
    '</tbody></table>',
  ].join('');
}

export function markdownToHtml(markdown: string): string {
  const lines = markdown.split('\n');
  const html: string[] = [];
  let i = 0;
  const takeWhile = (test: (line: string) => boolean): string[] => {
    const taken: string[] = [];
    while (i < lines.length && test(lines[i] as string)) taken.push(lines[i++] as string);
    return taken;
  };
  while (i < lines.length) {
    const line = lines[i] as string;
    const summary = /^<details><summary>(.*)<\/summary>$/.exec(line);
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (line.trim() === '') {
      i++;
    } else if (summary !== null) {
      html.push(`<details><summary>${inline(summary[1] as string)}</summary>`);
      i++;
    } else if (line === '</details>') {
      html.push('</details>');
      i++;
    } else if (heading !== null) {
      const level = Math.min(6, (heading[1] as string).length + 1);
      html.push(`<h${level}>${inline(heading[2] as string)}</h${level}>`);
      i++;
    } else if (line.startsWith('|')) {
      html.push(table(takeWhile((l) => l.startsWith('|'))));
    } else if (line.startsWith('- ')) {
      const items = takeWhile((l) => l.startsWith('- '));
      html.push(`<ul>${items.map((item) => `<li>${inline(item.slice(2))}</li>`).join('')}</ul>`);
    } else {
      const paragraph = takeWhile(
        (l) =>
          l.trim() !== '' &&
          !l.startsWith('|') &&
          !l.startsWith('- ') &&
          !l.startsWith('#') &&
          !l.startsWith('<'),
      );
      if (paragraph.length === 0) {
        // A line that opens like HTML but is not the <details> we emit: show it as text.
        html.push(`<p>${inline(line)}</p>`);
        i++;
      } else {
        html.push(`<p>${paragraph.map(inline).join('<br>')}</p>`);
      }
    }
  }
  return html.join('\n');
}
