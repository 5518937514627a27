import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MatterCatalogue, type MatterItem, MatterVersion, type User } from '@gridwatch/devices';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { hasRole } from '../auth/access.ts';
import { BadRequest, Conflict, Forbidden, NotFound } from '../infra/errors.ts';
import { requireUser } from '../regions/access.ts';
import { type CatalogueError, describeErrors, type ItemInput, validateCatalogue } from './catalogue.ts';
import { catalogueFromCsv, catalogueToCsv, columnOf } from './csv.ts';
import { listVersions } from './repository.ts';
import { ImportQuery, PatchItemBody, ReplaceCatalogueBody } from './schemas.ts';
import type { MattersService } from './service.ts';

/** Largest CSV import accepted (the 80-item default is about 12 KiB). */
export const CSV_MAX_BYTES = 512 * 1024;

/**
 * The catalogue's REST face. Everyone logged in reads; commanders of the whole district
 * edit (a street commander does not change the district's rules). Every edit writes a new
 * version; the version row (who, when, note) is the edit's record.
 */
export function matterRoutes(app: FastifyInstance, service: MattersService): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();

  const requireEditor = (me: User) => {
    const topLevel = app.organisation.lineage(me.regionId).length <= 1;
    if (!hasRole(me, 'commander') || !topLevel)
      throw new Forbidden('only commanders of the district edit the matter catalogue');
  };

  /** Validates and writes; 400 naming the item and field, 409 when `baseVersion` is stale. */
  const write = async (
    me: User,
    input: readonly ItemInput[],
    where: (e: CatalogueError) => string,
    note: string,
    baseVersion: number | undefined,
  ) => {
    const { items, errors } = validateCatalogue(input, app.organisation.departmentTypes());
    if (errors.length) throw new BadRequest(`matter catalogue refused: ${describeErrors(errors, where)}`);
    const result = await service.write(items, me.username, note, baseVersion);
    if ('refused' in result)
      throw new Conflict(
        `baseVersion: the catalogue is at version ${result.refused}, not ${baseVersion}; reload and edit again`,
      );
    return result.catalogue;
  };
  const jsonWhere = (input: readonly ItemInput[]) => (e: CatalogueError) =>
    e.field === 'items'
      ? 'items'
      : `items[${e.index}]${typeof input[e.index]?.code === 'string' ? ` (${input[e.index]!.code})` : ''}`;

  routes.get(
    '/api/matters',
    {
      schema: {
        tags: ['matters'],
        summary: 'The matter catalogue (事项清单): the latest version, or ?version=N',
        querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }),
        response: { 200: MatterCatalogue },
      },
    },
    async (request) => {
      requireUser(request);
      const { version } = request.query;
      if (version === undefined) return service.current();
      const catalogue = service.version(version);
      if (!catalogue) throw new NotFound(`matter catalogue version ${version}`);
      return catalogue;
    },
  );

  routes.get(
    '/api/matters/versions',
    {
      schema: {
        tags: ['matters'],
        summary: 'Every catalogue version, newest first: who wrote it, when, and why',
        response: { 200: Type.Array(MatterVersion) },
      },
    },
    async (request) => {
      requireUser(request);
      return listVersions(app.db);
    },
  );

  routes.put(
    '/api/matters',
    {
      schema: {
        tags: ['matters'],
        summary: 'Replace the whole catalogue: writes a new version (district commanders)',
        body: ReplaceCatalogueBody,
        response: { 201: MatterCatalogue },
      },
    },
    async (request, reply) => {
      const me = requireUser(request);
      requireEditor(me);
      const { items, note, baseVersion } = request.body;
      const catalogue = await write(
        me,
        items,
        jsonWhere(items),
        note ?? 'replaced through the API',
        baseVersion,
      );
      return reply.code(201).send(catalogue);
    },
  );

  routes.patch(
    '/api/matters/items/:code',
    {
      schema: {
        tags: ['matters'],
        summary: 'Change one item: writes a new version, the old one stays readable (district commanders)',
        params: Type.Object({ code: Type.String({ maxLength: 40 }) }),
        body: PatchItemBody,
        response: { 201: MatterCatalogue },
      },
    },
    async (request, reply) => {
      const me = requireUser(request);
      requireEditor(me);
      const { baseVersion, note, ...changes } = request.body as {
        baseVersion?: number;
        note?: string;
      } & Partial<MatterItem>;
      const current = service.current();
      if (!current.items.some((i) => i.code === request.params.code))
        throw new NotFound(`matter item ${request.params.code}`);
      const items: ItemInput[] = current.items.map((i) =>
        i.code === request.params.code ? { ...i, ...changes } : i,
      );
      const catalogue = await write(
        me,
        items,
        jsonWhere(items),
        note ?? `item ${request.params.code} changed`,
        baseVersion ?? current.version,
      );
      return reply.code(201).send(catalogue);
    },
  );

  // CSV in a context of its own, so the text/csv parser stays local to these routes.
  app.register(async (scoped) => {
    scoped.addContentTypeParser(
      'text/csv',
      { parseAs: 'string', bodyLimit: 4 * CSV_MAX_BYTES },
      (_req, body, done) => done(null, body),
    );
    const csvRoutes = scoped.withTypeProvider<TypeBoxTypeProvider>();

    csvRoutes.get(
      '/api/matters/export.csv',
      {
        schema: {
          tags: ['matters'],
          summary: 'The catalogue (latest, or ?version=N) as CSV, formula-looking cells neutralised',
          querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }),
          produces: ['text/csv'],
        },
      },
      async (request, reply) => {
        requireUser(request);
        const catalogue =
          request.query.version === undefined ? service.current() : service.version(request.query.version);
        if (!catalogue) throw new NotFound(`matter catalogue version ${request.query.version}`);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="matters-v${catalogue.version}.csv"`)
          .send(catalogueToCsv(catalogue.items));
      },
    );

    csvRoutes.post(
      '/api/matters/import',
      {
        schema: {
          tags: ['matters'],
          summary:
            'Import the whole catalogue from CSV (the export format): writes a new version (district commanders)',
          querystring: ImportQuery,
          body: Type.String(),
          consumes: ['text/csv'],
          response: { 201: MatterCatalogue },
        },
      },
      async (request, reply) => {
        const me = requireUser(request);
        requireEditor(me);
        if (typeof request.body !== 'string') throw new BadRequest('body: send the catalogue as text/csv');
        const bytes = Buffer.byteLength(request.body);
        if (bytes > CSV_MAX_BYTES)
          throw new BadRequest(`body: the CSV is ${bytes} bytes, more than the ${CSV_MAX_BYTES} accepted`);
        const parsed = catalogueFromCsv(request.body);
        if (parsed.errors.length)
          throw new BadRequest(`matter catalogue refused: ${parsed.errors.slice(0, 10).join('; ')}`);
        const catalogue = await write(
          me,
          parsed.items,
          (e) => (e.field === 'items' ? 'file' : `line ${parsed.lines[e.index]} (${columnOf(e.field)})`),
          request.query.note ?? 'imported from CSV',
          request.query.baseVersion,
        );
        return reply.code(201).send(catalogue);
      },
    );
  });
}
