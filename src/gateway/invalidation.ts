// Config changes take effect on the next request on every instance: a change
// publishes the org id; each instance marks its cached entry stale. Redis pub/sub when
// Redis is configured, else PostgreSQL LISTEN/NOTIFY, else in-process only.
import type { Redis } from 'ioredis';
import type { Storage } from '../store/db.js';

export interface InvalidationBus {
  publish(orgId: string): void;
  close(): Promise<void>;
}

const CHANNEL = 'byok_config_changed';
const ALL = '*';

export async function createInvalidationBus(options: {
  redis: Redis | null;
  redisPrefix?: string;
  storage: Storage;
  onInvalidate: (orgId: string | null) => void;
  logger?: { warn(obj: object, msg: string): void };
}): Promise<InvalidationBus> {
  const { onInvalidate } = options;
  const deliver = (message: string) => onInvalidate(message === ALL ? null : message);

  if (options.redis) {
    const channel = `${options.redisPrefix ?? ''}${CHANNEL}`;
    const publisher = options.redis;
    // The subscriber queues its SUBSCRIBE until connected (and ioredis re-subscribes after reconnects).
    const subscriber = publisher.duplicate({ enableOfflineQueue: true });
    subscriber.on('error', () => {});
    subscriber.on('message', (_channel: string, message: string) => deliver(message));
    // After a reconnect, messages may have been missed: everything is suspect.
    subscriber.on('ready', () => onInvalidate(null));
    await subscriber.subscribe(channel).catch((err: unknown) => options.logger?.warn({ err }, 'config invalidation: Redis subscribe failed'));
    return {
      publish(orgId) {
        onInvalidate(orgId);
        publisher.publish(channel, orgId).catch((err: unknown) => options.logger?.warn({ err }, 'config invalidation: Redis publish failed'));
      },
      async close() {
        subscriber.disconnect();
      },
    };
  }

  if (options.storage.listen && options.storage.notify) {
    const storage = options.storage;
    const unlisten = await storage.listen!(CHANNEL, deliver);
    return {
      publish(orgId) {
        onInvalidate(orgId);
        storage.notify!(CHANNEL, orgId).catch((err: unknown) => options.logger?.warn({ err }, 'config invalidation: NOTIFY failed'));
      },
      async close() {
        await unlisten().catch(() => {});
      },
    };
  }

  return {
    publish(orgId) {
      onInvalidate(orgId);
    },
    async close() {},
  };
}
