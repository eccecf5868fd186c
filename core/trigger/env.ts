import { inlineCode } from './inline-code.js';

/** Environment names benchbot sets or relies on itself; a trigger may not override them. */
export const RESERVED_ENV_NAMES: readonly string[] = ['PATH', 'HOME', 'GITHUB_TOKEN', 'GH_TOKEN'];
export const RESERVED_ENV_PREFIXES: readonly string[] = ['BENCHBOT_', 'GIT_'];

export const MAX_ENV_VALUE_BYTES = 4096;
export const MAX_ENV_VARS = 64;

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

export function isReservedEnvName(name: string): boolean {
  return RESERVED_ENV_NAMES.includes(name) || RESERVED_ENV_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** What is wrong with an env name and how to fix it, or undefined if it is usable. */
export function envNameProblem(
  name: string,
): { code: 'invalid-env-name' | 'reserved-env-name'; message: string } | undefined {
  if (!ENV_NAME.test(name)) {
    const upper = name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    const suggestion = ENV_NAME.test(upper) ? `, e.g. ${inlineCode(upper)}` : '';
    return {
      code: 'invalid-env-name',
      message: `environment variable name ${inlineCode(name)} is not valid: use capital letters, digits and \`_\`, not starting with a digit${suggestion}`,
    };
  }
  if (isReservedEnvName(name)) {
    const reserved = [...RESERVED_ENV_NAMES, ...RESERVED_ENV_PREFIXES.map((prefix) => `${prefix}*`)];
    return {
      code: 'reserved-env-name',
      message: `environment variable ${inlineCode(name)} is reserved for benchbot itself and cannot be set: remove it (reserved: ${reserved.map((r) => `\`${r}\``).join(', ')})`,
    };
  }
  return undefined;
}

/** What is wrong with an env value and how to fix it, or undefined if it is usable. */
export function envValueProblem(name: string, value: string): string | undefined {
  if (/[\r\n]/.test(value)) {
    return `environment variable ${inlineCode(name)} has a value spanning several lines: put the value on one line`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) {
    return `environment variable ${inlineCode(name)} has a control character in its value: remove it`;
  }
  const bytes = new TextEncoder().encode(value).length;
  if (bytes > MAX_ENV_VALUE_BYTES) {
    return `environment variable ${inlineCode(name)} has a value of ${bytes} bytes: shorten it to at most ${MAX_ENV_VALUE_BYTES} bytes`;
  }
  return undefined;
}
