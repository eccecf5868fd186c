import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>` of the raw body, as GitHub signs it (X-Hub-Signature-256). */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Whether the delivery was signed with the shared secret. The comparison takes the same time
 * wherever the first difference is, so the signature cannot be guessed byte by byte.
 */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(signBody(secret, body), 'utf8');
  const given = Buffer.from(header, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
