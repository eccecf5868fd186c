const MAX_REF_LENGTH = 255;

/**
 * Why `ref` is not usable as a git ref name, or undefined if it is. Implements the rules of
 * `git check-ref-format --allow-onelevel` (so `main` and `v1.0` pass; a 7-40 digit hex SHA passes
 * too), plus a ban on a leading `-`, which git would read as an option.
 */
export function gitRefProblem(ref: string): string | undefined {
  if (ref === '') return 'it is empty';
  if (ref.length > MAX_REF_LENGTH) return `it is longer than ${MAX_REF_LENGTH} characters`;
  if (ref === '@') return 'it is `@`';
  if (ref.startsWith('-')) return 'it starts with `-`';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are forbidden in refs
  if (/[\u0000-\u001f\u007f]/.test(ref)) return 'it contains a control character';
  const forbidden = [' ', '~', '^', ':', '?', '*', '[', '\\'].find((c) => ref.includes(c));
  if (forbidden !== undefined) {
    const relative = forbidden === '~' || forbidden === '^';
    return `it contains ${forbidden === ' ' ? 'a space' : `\`${forbidden}\``}${relative ? ' (relative revisions like `HEAD~1` are not supported; use the commit SHA)' : ''}`;
  }
  if (ref.includes('..')) return 'it contains `..`';
  if (ref.includes('@{')) return 'it contains `@{`';
  if (ref.startsWith('/') || ref.endsWith('/')) return 'it starts or ends with `/`';
  if (ref.includes('//')) return 'it contains `//`';
  if (ref.endsWith('.')) return 'it ends with `.`';
  for (const component of ref.split('/')) {
    if (component.startsWith('.')) return 'a path component starts with `.`';
    if (component.endsWith('.lock')) return 'a path component ends with `.lock`';
  }
  return undefined;
}
