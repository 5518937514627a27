import type { Position, Ring } from '@gridwatch/devices';
import { createRng } from '../rng.ts';
import {
  apportion,
  inRect,
  pointIn,
  type Rect,
  rectArea,
  rectRing,
  splitRect,
  toLonLat,
} from './geometry.ts';
import { NameBook, STREET_NAMES } from './names.ts';
import type { District, RegionNode, Road, Site } from './types.ts';

/** Figures of the real district the simulation is modelled on. */
export const DISTRICT_SPEC = {
  id: 'D610104',
  name: '莲湖区',
  areaKm2: 43,
  streets: 9,
  communities: 131,
  grids: 364,
  compounds: 424,
  stations: 300,
} as const;

export const DEFAULT_SEED = 610104;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Nine street strips west to east, each with its own width and its own top and bottom, so the
 * district outline is a staircase. Scaled so the total is the district's area.
 */
function streetRects(rng: ReturnType<typeof createRng>): Rect[] {
  const widths = STREET_NAMES.map(() => rng.range(0.75, 1.25));
  const scaleX = 8.6 / widths.reduce((a, b) => a + b, 0);
  let x = -4.3;
  const raw = widths.map((w) => {
    const r = {
      x0: x,
      x1: x + w * scaleX,
      y0: -2.5 + rng.range(-0.25, 0.25),
      y1: 2.5 + rng.range(-0.25, 0.25),
    };
    x = r.x1;
    return r;
  });
  raw[raw.length - 1]!.x1 = 4.3;
  const area = raw.reduce((a, r) => a + rectArea(r), 0);
  const k = DISTRICT_SPEC.areaKm2 / area;
  return raw.map((r) => ({ ...r, y0: r.y0 * k, y1: r.y1 * k }));
}

/** Counter-clockwise outline of adjacent vertical strips: along the bottoms eastwards, back along the tops. */
function stripOutline(strips: Rect[]): Ring {
  const pts: Array<[number, number]> = [];
  for (const s of strips) pts.push([s.x0, s.y0], [s.x1, s.y0]);
  for (const s of [...strips].reverse()) pts.push([s.x1, s.y1], [s.x0, s.y1]);
  const dedup = pts.filter((p, i) => {
    const q = pts[(i + pts.length - 1) % pts.length]!;
    return p[0] !== q[0] || p[1] !== q[1];
  });
  // Drop collinear middle points (two strips with the same bottom or top).
  const simple = dedup.filter((p, i) => {
    const a = dedup[(i + dedup.length - 1) % dedup.length]!;
    const b = dedup[(i + 1) % dedup.length]!;
    return !((a[0] === p[0] && p[0] === b[0]) || (a[1] === p[1] && p[1] === b[1]));
  });
  const ring = simple.map(([x, y]) => toLonLat(x, y));
  ring.push(ring[0]!);
  return ring;
}

function roads(box: Rect): Road[] {
  const at = (u: number, v: number): Position =>
    toLonLat(box.x0 + (box.x1 - box.x0) * u, box.y0 + (box.y1 - box.y0) * v);
  const ew = (id: string, name: string, v: number, u0 = 0.01, u1 = 0.99): Road => ({
    id,
    name,
    kind: 'arterial',
    line: [at(u0, v), at((u0 + u1) / 2, v + 0.004), at(u1, v)],
  });
  const ns = (id: string, name: string, u: number, v0 = 0.12, v1 = 0.88): Road => ({
    id,
    name,
    kind: 'arterial',
    line: [at(u, v0), at(u + 0.003, (v0 + v1) / 2), at(u, v1)],
  });
  return [
    {
      id: 'road-01',
      name: '环城路',
      kind: 'ring',
      line: [at(0.74, 0.2), at(0.97, 0.2), at(0.97, 0.8), at(0.74, 0.8), at(0.74, 0.2)],
    },
    ew('road-02', '大庆路', 0.26),
    ew('road-03', '莲湖路', 0.52),
    ew('road-04', '自强西路', 0.78),
    ns('road-05', '枣园东路', 0.1),
    ns('road-06', '桃园路', 0.3),
    ns('road-07', '劳动路', 0.47),
    ns('road-08', '丰庆路', 0.6),
    ns('road-09', '北大街', 0.88, 0.2, 0.8),
    ew('road-10', '西大街', 0.4, 0.74, 0.97),
  ];
}

/**
 * The simulated district: 9 streets, 131 communities, 364 grids, roads, 424 residential
 * compounds and 300 service stations, all from `seed`. Streets tile the district, communities
 * tile their street and grids their community (recursive rectangle splits), so containment
 * and the absence of overlaps hold by construction; the tests check them anyway.
 */
export function generateDistrict(seed: number = DEFAULT_SEED): District {
  const rng = createRng(seed);
  const names = new NameBook(rng.fork('names'));
  const strips = streetRects(rng.fork('streets'));
  const district: RegionNode = {
    id: DISTRICT_SPEC.id,
    level: 'district',
    name: DISTRICT_SPEC.name,
    parentId: null,
    ring: stripOutline(strips),
  };
  const streets: RegionNode[] = strips.map((rect, i) => ({
    id: `${DISTRICT_SPEC.id}-S${pad(i + 1, 2)}`,
    level: 'street',
    name: `${STREET_NAMES[i]}街道`,
    parentId: district.id,
    ring: rectRing(rect),
    rect,
  }));

  const split = rng.fork('split');
  const perStreet = apportion(
    DISTRICT_SPEC.communities,
    strips.map((r) => rectArea(r) * split.range(0.8, 1.2)),
    8,
  );
  const communities: RegionNode[] = [];
  streets.forEach((street, si) => {
    splitRect(street.rect!, perStreet[si]!, split.next).forEach((rect, ci) => {
      communities.push({
        id: `${street.id}-C${pad(ci + 1, 2)}`,
        level: 'community',
        name: names.community(),
        parentId: street.id,
        ring: rectRing(rect),
        rect,
      });
    });
  });

  const perCommunity = apportion(
    DISTRICT_SPEC.grids,
    communities.map((c) => rectArea(c.rect!) * split.range(0.7, 1.3)),
    1,
  );
  const grids: RegionNode[] = [];
  communities.forEach((community, ci) => {
    splitRect(community.rect!, perCommunity[ci]!, split.next).forEach((rect, gi) => {
      grids.push({
        id: `${community.id}-G${pad(gi + 1, 2)}`,
        level: 'grid',
        name: `${community.name}第${gi + 1}网格`,
        parentId: community.id,
        ring: rectRing(rect),
        rect,
      });
    });
  });

  const communityById = new Map(communities.map((c) => [c.id, c]));
  const site = (i: number, type: Site['type'], grid: RegionNode, name: string, s: typeof rng): Site => {
    const [x, y] = pointIn(grid.rect!, s.next(), s.next(), 0.12);
    const community = communityById.get(grid.parentId!)!;
    return {
      id: `site-${pad(i, 4)}`,
      type,
      name,
      position: toLonLat(x, y),
      gridId: grid.id,
      communityId: community.id,
      streetId: community.parentId!,
    };
  };

  // Every grid gets one compound; the rest go to random grids.
  const placing = rng.fork('sites');
  const compoundGrids = [...grids];
  while (compoundGrids.length < DISTRICT_SPEC.compounds) compoundGrids.push(placing.pick(grids));
  const compounds = compoundGrids.map((g, i) => site(i + 1, 'compound', g, names.compound(), placing));

  // Every community gets one station, in one of its grids; the rest go to random grids.
  const gridsOf = new Map<string, RegionNode[]>();
  for (const g of grids) gridsOf.set(g.parentId!, [...(gridsOf.get(g.parentId!) ?? []), g]);
  const stationGrids = communities.map((c) => placing.pick(gridsOf.get(c.id)!));
  while (stationGrids.length < DISTRICT_SPEC.stations) stationGrids.push(placing.pick(grids));
  const stations = stationGrids.map((g, i) =>
    site(
      DISTRICT_SPEC.compounds + i + 1,
      'station',
      g,
      names.station(communityById.get(g.parentId!)!.name),
      placing,
    ),
  );

  const box = strips.reduce(
    (b, r) => ({
      x0: Math.min(b.x0, r.x0),
      y0: Math.min(b.y0, r.y0),
      x1: Math.max(b.x1, r.x1),
      y1: Math.max(b.y1, r.y1),
    }),
    { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity },
  );
  return { seed, district, streets, communities, grids, roads: roads(box), compounds, stations };
}

/** The grid holding a point given in local km, if any (points on a grid edge belong to none). */
export function gridAtKm(district: District, x: number, y: number): RegionNode | undefined {
  return district.grids.find((g) => inRect(g.rect!, x, y));
}
