import { Client, Connection } from '@temporalio/client';
import type { BenchbotConfig } from '../../core/config/index.js';
import { listSchedules, setSchedulePaused, syncSchedules, triggerSchedule } from '../schedules.js';
import { connectionOptions } from '../temporal-connection.js';

export type SchedulesCommand =
  | { kind: 'sync' }
  | { kind: 'list' }
  | { kind: 'pause'; schedule: string; note: string }
  | { kind: 'resume'; schedule: string; note: string }
  | { kind: 'trigger'; schedule: string; wait: boolean };

/** The running stack's Temporal: the configured address, else the embedded server's port. */
async function connect(config: BenchbotConfig): Promise<{ client: Client; close: () => Promise<void> }> {
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
  let connection: Connection;
  try {
    connection = await Connection.connect(await connectionOptions(config, address));
  } catch (err) {
    throw new Error(
      `cannot reach Temporal at ${address}: ${(err as Error).message}. Fix: start benchbot (npm start) or set temporal.address.`,
    );
  }
  return {
    client: new Client({ connection, namespace: config.temporal.namespace }),
    close: () => connection.close(),
  };
}

const time = (d: Date | null) => (d === null ? '-' : d.toISOString().replace(/\.\d+Z$/, 'Z'));

export async function schedules(config: BenchbotConfig, command: SchedulesCommand): Promise<number> {
  let temporal: Awaited<ReturnType<typeof connect>>;
  try {
    temporal = await connect(config);
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
  const { client } = temporal;
  try {
    switch (command.kind) {
      case 'sync': {
        const done = await syncSchedules(client, config);
        if (done.length === 0) console.log('No schedules configured (repos[].schedules) and none to remove.');
        for (const d of done) console.log(`${d.action.padEnd(9)} ${d.scheduleId}`);
        return 0;
      }
      case 'list': {
        const rows = await listSchedules(client, config);
        if (rows.length === 0) console.log('No schedules configured (repos[].schedules).');
        for (const r of rows) {
          const last = r.lastRun ? `${time(r.lastRun.at)} ${r.lastRun.workflowId}` : '-';
          console.log(
            `${r.scheduleId}  ${r.state}${r.note ? ` (${r.note})` : ''}  branch ${r.branch}  ${r.when}  strategy ${r.strategy}  next ${time(r.nextRun)}  last ${last}`,
          );
        }
        return 0;
      }
      case 'pause':
        console.log(
          `paused ${await setSchedulePaused(client, config, command.schedule, true, command.note)}`,
        );
        return 0;
      case 'resume':
        console.log(
          `resumed ${await setSchedulePaused(client, config, command.schedule, false, command.note)}`,
        );
        return 0;
      case 'trigger': {
        const { workflowId } = await triggerSchedule(client, config, command.schedule);
        console.log(`started ${workflowId}`);
        if (command.wait)
          console.log(JSON.stringify(await client.workflow.getHandle(workflowId).result(), null, 2));
        return 0;
      }
    }
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  } finally {
    await temporal.close();
  }
}
