import { CST, Parser } from 'yaml';

/**
 * Offset of the first collection nested deeper than `maxDepth`, or undefined. The composer behind
 * yaml's parseDocument recurses per level and can exhaust the stack (even abort the process) on
 * input like `[[[[…` or `- - - -…`, so depth is measured first on the parser's token tree, which
 * is built without recursion, and walked here with an explicit stack.
 */
export function yamlTooDeepAt(
  yaml: string,
  maxDepth: number,
  onNewLine?: (offset: number) => void,
): number | undefined {
  const pending: { token: CST.Token; depth: number }[] = [];
  for (const token of new Parser(onNewLine).parse(yaml)) pending.push({ token, depth: 0 });
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { token, depth } = next;
    if (token.type === 'document' && token.value) pending.push({ token: token.value, depth });
    if (!CST.isCollection(token)) continue;
    if (depth >= maxDepth) return token.offset;
    for (const { key, value } of token.items) {
      if (key) pending.push({ token: key, depth: depth + 1 });
      if (value) pending.push({ token: value, depth: depth + 1 });
    }
  }
  return undefined;
}
