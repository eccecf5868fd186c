/** Text for HTML and SVG content and attribute values: names come from benchmark tools and commits. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
