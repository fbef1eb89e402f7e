import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** The local servers `npm run test:services` talks to; override with TEST_* variables. */
export const SERVICES = {
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  rabbitmqUrl: process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
};

/**
 * A RabbitMQ virtual host of the test's own, so runs never see each other's queues or leftover
 * messages. Needs `rabbitmqctl` on the machine (the broker is local in CI).
 */
export function createTestVhost(): { name: string; url: string; remove(): void } {
  const vhost = `horizon-test-${randomBytes(4).toString('hex')}`;
  execFileSync('rabbitmqctl', ['-q', 'add_vhost', vhost]);
  execFileSync('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
  const url = new URL(SERVICES.rabbitmqUrl);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return { name: vhost, url: url.toString(), remove: () => execFileSync('rabbitmqctl', ['-q', 'delete_vhost', vhost]) };
}
