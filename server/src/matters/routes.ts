import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MatterCatalogue, MatterVersion } from '@gridwatch/devices';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { NotFound } from '../infra/errors.ts';
import { requireUser } from '../regions/access.ts';
import { listVersions } from './repository.ts';
import type { MattersService } from './service.ts';

export function matterRoutes(app: FastifyInstance, service: MattersService): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();

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
        summary: 'Every catalogue version, newest first',
        response: { 200: Type.Array(MatterVersion) },
      },
    },
    async (request) => {
      requireUser(request);
      return listVersions(app.db);
    },
  );
}
