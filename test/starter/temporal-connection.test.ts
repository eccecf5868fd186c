import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionOptions } from '../../starter/temporal-connection.js';
import { testConfig } from '../integration/test-config.js';

const dir = mkdtempSync(join(tmpdir(), 'benchbot-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('connection options for a real cluster or Temporal Cloud', () => {
  it('connects in plain text to the embedded server', async () => {
    const config = testConfig('version: 1');
    expect(await connectionOptions(config, '127.0.0.1:7233', {})).toEqual({ address: '127.0.0.1:7233' });
  });

  it('reads mTLS material from the files the config names', async () => {
    for (const name of ['ca.pem', 'client.pem', 'client.key'])
      writeFileSync(join(dir, name), `contents of ${name}`);
    const config = testConfig(`version: 1
temporal:
  address: temporal.example.com:7233
  tls:
    serverName: temporal.example.com
    serverRootCACertPath: ${join(dir, 'ca.pem')}
    clientCertPath: ${join(dir, 'client.pem')}
    clientKeyPath: ${join(dir, 'client.key')}
`);
    const options = await connectionOptions(config, 'temporal.example.com:7233', {});
    expect(options.tls).toEqual({
      serverNameOverride: 'temporal.example.com',
      serverRootCACertificate: Buffer.from('contents of ca.pem'),
      clientCertPair: {
        crt: Buffer.from('contents of client.pem'),
        key: Buffer.from('contents of client.key'),
      },
    });
    expect(options.apiKey).toBeUndefined();
  });

  it('takes the API key from the environment variable the config names, and turns TLS on', async () => {
    const config = testConfig(
      'version: 1\ntemporal: { address: "ns.acct.tmprl.cloud:7233", apiKeyEnv: MY_KEY }',
    );
    const options = await connectionOptions(config, 'ns.acct.tmprl.cloud:7233', { MY_KEY: 'secret-key' });
    expect(options).toEqual({ address: 'ns.acct.tmprl.cloud:7233', apiKey: 'secret-key', tls: true });
  });
});
