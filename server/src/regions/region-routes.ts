import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { RegionImportResult, type RegionNode, RegionsResponse } from '@gridwatch/devices';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { inTransaction } from '../infra/db/transaction.ts';
import { BadRequest, IMPORT_BODY_LIMIT } from '../infra/errors.ts';
import { deviceCountsByGrid } from '../registry/repository.ts';
import { REGISTRY_ROLES, requireRole, requireUser } from './access.ts';
import { parseRegionImport } from './region-input.ts';
import {
  loadMapFeatures,
  loadRegionFeatures,
  loadRegionLevels,
  upsertMapFeatures,
  upsertRegions,
} from './region-repository.ts';
import type { RegionService } from './region-service.ts';

const SHOWN_ERRORS = 10;

export function regionRoutes(app: FastifyInstance, regions: RegionService): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  routes.post(
    '/api/regions/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['regions'],
        summary: 'Import regions and map features (GeoJSON FeatureCollection); places every device again',
        // Each feature is checked by parseRegionImport; the body limit bounds how many there are.
        body: Type.Object({ type: Type.String({ maxLength: 40 }), features: Type.Array(Type.Unknown()) }),
        response: { 200: RegionImportResult },
      },
    },
    async (request) => {
      requireRole(request, REGISTRY_ROLES);
      const parsed = parseRegionImport(request.body, await loadRegionLevels(app.db));
      if (parsed.errors.length) {
        const more =
          parsed.errors.length > SHOWN_ERRORS ? ` (and ${parsed.errors.length - SHOWN_ERRORS} more)` : '';
        throw new BadRequest(
          `region import refused: ${parsed.errors.slice(0, SHOWN_ERRORS).join('; ')}${more}`,
        );
      }
      await inTransaction(app.db, async (tx) => {
        await upsertRegions(tx, parsed.regions);
        await upsertMapFeatures(tx, parsed.features);
      });
      regions.invalidate();
      const placement = await app.registry.placeAll();
      request.log.info(
        { regions: parsed.regions.length, features: parsed.features.length, ...placement },
        'regions imported',
      );
      return {
        regions: parsed.regions.length,
        features: parsed.features.length,
        devicesPlaced: placement.placed,
        devicesUnplaced: placement.unplaced,
      };
    },
  );

  routes.get(
    '/api/regions',
    {
      schema: {
        tags: ['regions'],
        summary: 'Region tree, region polygons and map features (any logged-in user)',
        response: { 200: RegionsResponse },
      },
    },
    async (request) => {
      requireUser(request);
      const [index, counts, geo, features] = await Promise.all([
        regions.index(),
        deviceCountsByGrid(app.db),
        loadRegionFeatures(app.db),
        loadMapFeatures(app.db),
      ]);
      const nodes = new Map<string, RegionNode>();
      for (const r of index.byId.values())
        nodes.set(r.id, {
          id: r.id,
          level: r.level,
          name: r.name,
          parentId: r.parentId,
          devices: 0,
          children: [],
        });
      const roots: RegionNode[] = [];
      for (const node of nodes.values()) {
        const parent = node.parentId ? nodes.get(node.parentId) : undefined;
        if (parent) (parent.children as RegionNode[]).push(node);
        else if (node.level === 'district') roots.push(node);
      }
      for (const [gridId, n] of counts) {
        if (gridId === null) continue;
        for (let id: string | null = gridId; id; id = nodes.get(id)?.parentId ?? null) {
          const node = nodes.get(id);
          if (node) node.devices += n;
        }
      }
      const byId = (a: RegionNode, b: RegionNode) => a.id.localeCompare(b.id);
      const sort = (list: RegionNode[]) => {
        list.sort(byId);
        for (const n of list) sort(n.children as RegionNode[]);
      };
      sort(roots);
      return {
        tree: roots,
        geojson: { type: 'FeatureCollection' as const, features: geo },
        features: { type: 'FeatureCollection' as const, features },
      };
    },
  );
}
