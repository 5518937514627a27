import type { MatterCatalogue, MatterItem } from '@gridwatch/devices';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { inTransaction } from '../infra/db/transaction.ts';
import { DEFAULT_MATTER_ITEMS } from './default-catalogue.ts';
import { insertVersion, latestVersion, loadVersionsAfter } from './repository.ts';

interface LoadedVersion {
  catalogue: MatterCatalogue;
  byCode: Map<string, MatterItem>;
}

/**
 * Every catalogue version in memory (they are small, and a case may name any of them),
 * loaded at start, after each edit here, and when a refresh finds another instance wrote a
 * newer version. Lookups are synchronous.
 */
export class MattersService {
  private readonly versions = new Map<number, LoadedVersion>();
  private latest = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: { db: pg.Pool; log: FastifyBaseLogger; refreshMs: number }) {}

  async start(): Promise<void> {
    const seeded = await inTransaction(this.deps.db, (tx) =>
      insertVersion(tx, {
        items: DEFAULT_MATTER_ITEMS,
        createdBy: 'system',
        note: 'default catalogue: editable defaults for an urban district (docs/matters.md)',
        onlyIfEmpty: true,
      }),
    );
    if ('version' in seeded)
      this.deps.log.info({ items: DEFAULT_MATTER_ITEMS.length }, 'default matter catalogue seeded');
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err) => this.deps.log.error({ err }, 'matter catalogue refresh failed'));
    }, this.deps.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Loads versions newer than the newest one held. */
  async refresh(): Promise<void> {
    if ((await latestVersion(this.deps.db)) <= this.latest) return;
    for (const catalogue of await loadVersionsAfter(this.deps.db, this.latest)) {
      this.versions.set(catalogue.version, {
        catalogue,
        byCode: new Map(catalogue.items.map((i) => [i.code, i])),
      });
      this.latest = Math.max(this.latest, catalogue.version);
    }
  }

  current(): MatterCatalogue {
    const loaded = this.versions.get(this.latest);
    if (!loaded) throw new Error('matter catalogue not loaded');
    return loaded.catalogue;
  }

  version(version: number): MatterCatalogue | undefined {
    return this.versions.get(version)?.catalogue;
  }

  item(code: string, version = this.latest): MatterItem | undefined {
    return this.versions.get(version)?.byCode.get(code);
  }

  /**
   * Writes a validated item list as a new version when the latest is still `expected`
   * (any when undefined). Returns the new catalogue, or the latest version number if refused.
   */
  async write(
    items: readonly MatterItem[],
    by: string,
    note: string,
    expected?: number,
  ): Promise<{ catalogue: MatterCatalogue } | { refused: number }> {
    const result = await inTransaction(this.deps.db, (tx) =>
      insertVersion(tx, { items, createdBy: by, note, expected }),
    );
    if ('refused' in result) return result;
    await this.refresh();
    const catalogue = this.version(result.version);
    if (!catalogue) throw new Error(`matter catalogue version ${result.version} not loaded after writing it`);
    return { catalogue };
  }
}
