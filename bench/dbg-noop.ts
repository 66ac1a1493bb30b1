import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { NativeConnection, Worker } from '@temporalio/worker';

async function main() {
  const address = process.env.TEMPORAL_ADDRESS!;
  const client = new Client({ connection: await Connection.connect({ address }) });
  const q = `dbg-noop-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address });
  const w = await Worker.create({
    connection,
    taskQueue: q,
    workflowsPath: require.resolve('./noop-workflow'),
    activities: { noop: async () => undefined },
  });
  await w.runUntil(async () => {
    for (let i = 0; i < 6; i++) {
      const id = `dbg-${randomUUID()}`;
      const t0 = performance.now();
      await client.workflow.execute('noopActivities', {
        taskQueue: q,
        workflowId: id,
        args: [Number(process.argv[2] ?? 8)],
      });
      const wall = performance.now() - t0;
      const h = await client.workflow.getHandle(id).fetchHistory();
      const ev = h.events ?? [];
      const t = (e: (typeof ev)[0]) => tsToMs(e.eventTime);
      const start = t(ev[0]!);
      console.log(`wall ${wall.toFixed(0)} ms, server ${t(ev.at(-1)!) - start} ms`);
      if (i === 5)
        for (const e of ev)
          console.log(
            String(t(e) - start).padStart(5),
            Object.keys(e).find((k) => k.endsWith('Attributes') && (e as any)[k]),
          );
    }
  });
  await connection.close();
}
main();
