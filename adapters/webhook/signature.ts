import { verify } from '@octokit/webhooks-methods';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text when it is UTF-8, as every GitHub delivery is (JSON); null otherwise. */
export function utf8Body(body: Buffer): string | null {
  try {
    return strictUtf8.decode(body);
  } catch {
    return null;
  }
}

/**
 * Whether the delivery was signed with the shared secret (X-Hub-Signature-256), checked by
 * @octokit/webhooks-methods in constant time. An empty body is never one of GitHub's.
 */
export async function verifySignature(
  secret: string,
  body: string,
  header: string | undefined,
): Promise<boolean> {
  if (header === undefined || header === '' || body === '') return false;
  return verify(secret, body, header);
}
