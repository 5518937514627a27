import type { DeviceKind } from '@gridwatch/devices';
import { devicePassword } from '@gridwatch/devices';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/** What the identity domain (H1) decorates the app with; absent until it is registered. */
export interface IdentityApi {
  provision(devices: Array<{ id: string; kind: DeviceKind }>): Promise<{ provisioned: number }>;
  credentials(id: string): { username: string; password: string };
}

/** At or below this many devices, provisioning is awaited by the request; above, it runs in the background. */
export const AWAIT_PROVISION_MAX = 200;
const BACKGROUND_CHUNK = 500;

function identityOf(app: FastifyInstance): IdentityApi | null {
  if (!app.hasDecorator('identity')) return null;
  const identity = (app as unknown as { identity?: IdentityApi }).identity;
  return identity && typeof identity.provision === 'function' ? identity : null;
}

/**
 * Provisions devices on the broker through the identity domain. Big imports go on in the
 * background in chunks, logging progress; `close()` stops between chunks and waits.
 */
export class Provisioner {
  private closed = false;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Resolves once provisioned (small batches) or once started (large ones): `{ background }` says which. */
  async provision(devices: Array<{ id: string; kind: DeviceKind }>): Promise<{ background: boolean }> {
    const identity = identityOf(this.app);
    if (!identity || devices.length === 0) return { background: false };
    if (devices.length <= AWAIT_PROVISION_MAX) {
      await identity.provision(devices);
      return { background: false };
    }
    const job: Promise<void> = this.inBackground(identity, devices)
      .catch((err) => this.log.error({ err }, 'background provisioning failed'))
      .finally(() => this.running.delete(job));
    this.running.add(job);
    return { background: true };
  }

  private async inBackground(identity: IdentityApi, devices: Array<{ id: string; kind: DeviceKind }>) {
    const started = Date.now();
    let done = 0;
    for (let i = 0; i < devices.length && !this.closed; i += BACKGROUND_CHUNK) {
      const chunk = devices.slice(i, i + BACKGROUND_CHUNK);
      await identity.provision(chunk);
      done += chunk.length;
      this.log.info({ done, total: devices.length }, 'provisioning devices');
    }
    this.log.info({ done, total: devices.length, ms: Date.now() - started }, 'provisioning finished');
  }

  credentials(id: string): { username: string; password: string } {
    const identity = identityOf(this.app);
    return identity
      ? identity.credentials(id)
      : { username: id, password: devicePassword(this.app.gw.fleetSecret, id) };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
  }
}
