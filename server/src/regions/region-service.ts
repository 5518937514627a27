import type pg from 'pg';
import { RegionIndex } from './placement.ts';
import { loadRegions } from './region-repository.ts';

/** How long a loaded region index is trusted; another instance's import shows up within it. */
const INDEX_TTL_MS = 30_000;

/**
 * The region index (tree, grid polygons) kept in memory for placement, scope and stats.
 * Reloaded after a local import, and after `INDEX_TTL_MS` in case another instance imported.
 */
export class RegionService {
  private cached: { at: number; index: Promise<RegionIndex> } | null = null;

  constructor(private readonly db: pg.Pool) {}

  index(): Promise<RegionIndex> {
    if (!this.cached || Date.now() - this.cached.at > INDEX_TTL_MS) {
      const index = loadRegions(this.db).then((rows) => new RegionIndex(rows));
      index.catch(() => {
        this.cached = null;
      });
      this.cached = { at: Date.now(), index };
    }
    return this.cached.index;
  }

  invalidate(): void {
    this.cached = null;
  }
}
