import mqtt from 'mqtt';

/**
 * Watches the broker's `$SYS` counters (message rates, stored and queued messages, heap)
 * during a run, when the account may read them. Best effort: an empty map otherwise.
 */
export async function watchBrokerSys(url: string, username?: string, password?: string) {
  const values = new Map<string, string>();
  const client = await mqtt
    .connectAsync(url, { username, password, clean: true, reconnectPeriod: 0, connectTimeout: 5000 })
    .catch(() => null);
  if (client) {
    client.on('message', (topic, payload) =>
      values.set(topic.replace('$SYS/broker/', ''), payload.toString()),
    );
    client.on('error', () => {});
    for (const t of [
      'load/messages/+/1min',
      'messages/#',
      'store/#',
      'heap/#',
      'clients/connected',
      'load/publish/dropped/1min',
    ])
      client.subscribe(`$SYS/broker/${t}`, { qos: 0 });
  }
  return {
    values,
    async stop() {
      await client?.endAsync().catch(() => {});
    },
  };
}
