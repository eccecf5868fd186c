// Code from a pull request is untrusted, and it runs in the runner's environment: nothing that
// could be a credential may reach it.
const SECRET_NAME = /TOKEN|SECRET|PASSW(OR)?D|PRIVATE_KEY|API_KEY|CREDENTIAL|AUTH/i;

/** The environment without the named secrets and without anything whose name looks like one. */
export function withoutSecrets(
  env: Readonly<Record<string, string | undefined>>,
  secretNames: readonly string[],
): Record<string, string> {
  const named = new Set(secretNames);
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !named.has(name) && !SECRET_NAME.test(name)) kept[name] = value;
  }
  return kept;
}
