import { queueTable } from '../../adapters/temporal/request-visibility.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import { connectClient } from '../temporal-client.js';

/** `benchbot queue`: the same table `show benchmark queue` posts, in the terminal. */
export async function queue(config: BenchbotConfig): Promise<void> {
  const { client, close } = await connectClient(config);
  try {
    console.log(await queueTable(client, config, 'text'));
  } finally {
    await close();
  }
}
