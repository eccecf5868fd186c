import { createHmac } from 'node:crypto';

/**
 * `sha256=<hex>` of the raw body, as GitHub signs a webhook delivery (X-Hub-Signature-256). Written
 * here from GitHub's documentation, apart from the library benchbot verifies with.
 */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
