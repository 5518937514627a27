import type { DeviceKind } from '@gridwatch/devices';
import { devicePassword } from '@gridwatch/devices/credentials';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { setProvisioning } from './repository.ts';

/** What the identity domain decorates the app with; absent until it is registered. */
export interface IdentityApi {
  provision(devices: Array<{ id: string; kind: DeviceKind }>): Promise<{
    ready: string[];
    pending: string[];
    failed: Array<{ id: string; reason: string }>;
  }>;
  credentials(id: string): { username: string; password: string };
}

/** At or below this many devices, provisioning is awaited by the request; above, it runs in the background. */
export const AWAIT_PROVISION_MAX = 200;
/** Failures listed in an import's answer; the device list has them all. */
const FAILURES_LISTED = 100;

export interface ProvisionSummary {
  background: boolean;
  ready: number;
  pending: number;
  failed: number;
  failures: Array<{ id: string; reason: string }>;
}

function identityOf(app: FastifyInstance): IdentityApi | null {
  if (!app.hasDecorator('identity')) return null;
  const identity = (app as unknown as { identity?: IdentityApi }).identity;
  return identity && typeof identity.provision === 'function' ? identity : null;
}

/**
 * Gives imported devices their broker accounts through the identity domain and records, per
 * device, whether it can log in yet (`devices.provisioning`). Big imports go on in the
 * background; `close()` waits for them.
 */
export class Provisioner {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Provisions small batches before answering, large ones in the background (all `pending` then). */
  async provision(devices: Array<{ id: string; kind: DeviceKind }>): Promise<ProvisionSummary> {
    const identity = identityOf(this.app);
    const none = { background: false, ready: 0, pending: 0, failed: 0, failures: [] };
    if (devices.length === 0) return none;
    if (!identity) {
      // No identity domain registered (partial apps in tests): nothing can say otherwise.
      await setProvisioning(
        this.app.db,
        devices.map((d) => d.id),
        'ready',
      );
      return { ...none, ready: devices.length };
    }
    if (devices.length <= AWAIT_PROVISION_MAX) {
      const result = await this.run(identity, devices);
      return {
        background: false,
        ready: result.ready.length,
        pending: result.pending.length,
        failed: result.failed.length,
        failures: result.failed.slice(0, FAILURES_LISTED),
      };
    }
    const job: Promise<void> = this.run(identity, devices)
      .then(() => {})
      .catch((err) => this.log.error({ err }, 'background provisioning failed'))
      .finally(() => this.running.delete(job));
    this.running.add(job);
    return { ...none, background: true, pending: devices.length };
  }

  private async run(identity: IdentityApi, devices: Array<{ id: string; kind: DeviceKind }>) {
    const started = Date.now();
    const result = await identity.provision(devices);
    await setProvisioning(this.app.db, result.ready, 'ready');
    await setProvisioning(
      this.app.db,
      result.failed.map((f) => f.id),
      'failed',
      result.failed.map((f) => f.reason),
    );
    if (devices.length > AWAIT_PROVISION_MAX)
      this.log.info(
        {
          ready: result.ready.length,
          pending: result.pending.length,
          failed: result.failed.length,
          ms: Date.now() - started,
        },
        'provisioning finished',
      );
    return result;
  }

  credentials(id: string): { username: string; password: string } {
    const identity = identityOf(this.app);
    return identity
      ? identity.credentials(id)
      : { username: id, password: devicePassword(this.app.gw.fleetSecret, id) };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
