import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  DEVICE_ID_PATTERN,
  DEVICE_KINDS,
  Device,
  DeviceCreateResult,
  DeviceImportResult,
  DeviceListResponse,
  PROVISIONING_STATES,
  SingleLine,
} from '@gridwatch/devices';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { inScope, scopeSql } from '../auth/access.ts';
import { BadRequest, Conflict, Forbidden, IMPORT_BODY_LIMIT, NotFound } from '../infra/errors.ts';
import { REGISTRY_ROLES, requireRole, requireUser } from '../regions/access.ts';
import { parseDeviceCsv, parseDeviceGeoJson, validateDevice } from './input.ts';
import type { Provisioner } from './provisioning.ts';
import { getDevice, listDevices } from './repository.ts';
import type { DeviceRegistry } from './service.ts';

const DeviceId = Type.String({ pattern: DEVICE_ID_PATTERN, maxLength: 64 });

/** Device registry routes. Registered in their own context so the text/csv parser stays local. */
export async function deviceRoutes(
  app: FastifyInstance,
  deps: { registry: DeviceRegistry; provisioner: Provisioner },
): Promise<void> {
  const { registry, provisioner } = deps;
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const log = app.log.child({ domain: 'devices' });
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  routes.post(
    '/api/devices/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['devices'],
        summary:
          'Import devices: GeoJSON FeatureCollection of Points, or text/csv (id,kind,name,lon,lat,site,...)',
        consumes: ['application/json', 'text/csv'],
        body: Type.Union([
          Type.String({ description: 'CSV' }),
          Type.Record(Type.String(), Type.Unknown(), { description: 'GeoJSON FeatureCollection of Points' }),
        ]),
        response: { 200: DeviceImportResult },
      },
    },
    async (request) => {
      requireRole(request, REGISTRY_ROLES);
      const started = Date.now();
      const parsed =
        typeof request.body === 'string' ? parseDeviceCsv(request.body) : parseDeviceGeoJson(request.body);
      if (parsed.fatal) throw new BadRequest(`device import refused: ${parsed.fatal}`);
      const imported = parsed.devices.length;
      const { placed, provisioning } = await registry.importDevices(parsed.devices);
      log.info(
        { imported, placed, errors: parsed.errors.length, ms: Date.now() - started },
        'devices imported',
      );
      return {
        imported,
        placed,
        unplaced: imported - placed,
        errors: parsed.errors,
        provisioningInBackground: provisioning.background,
        provisioning: {
          ready: provisioning.ready,
          pending: provisioning.pending,
          failed: provisioning.failed,
        },
        provisioningFailures: provisioning.failures,
      };
    },
  );

  routes.post(
    '/api/devices',
    {
      schema: {
        tags: ['devices'],
        summary: 'Register one device; answers its MQTT credentials',
        body: Type.Object(
          {
            id: DeviceId,
            kind: Type.Enum(DEVICE_KINDS),
            name: SingleLine({ minLength: 1, maxLength: 200 }),
            lon: Type.Optional(Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()])),
            lat: Type.Optional(Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()])),
            site: Type.Optional(Type.Union([SingleLine({ maxLength: 64 }), Type.Null()])),
            // Values are checked for size and NUL by validateDevice, as in an import.
            attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: DeviceCreateResult },
      },
    },
    async (request, reply) => {
      requireRole(request, REGISTRY_ROLES);
      const body = request.body;
      const input = validateDevice({
        id: body.id,
        kind: body.kind,
        name: body.name,
        lon: body.lon ?? null,
        lat: body.lat ?? null,
        site: body.site ?? null,
        attributes: body.attributes ?? {},
      });
      if (typeof input === 'string') throw new BadRequest(input);
      const device = await registry.create(input);
      if (!device) throw new Conflict(`device ${input.id} already exists`);
      reply.status(201);
      return { device, credentials: provisioner.credentials(input.id) };
    },
  );

  routes.get(
    '/api/devices',
    {
      schema: {
        tags: ['devices'],
        summary: "Devices in the caller's region",
        querystring: Type.Object({
          kind: Type.Optional(Type.Enum(DEVICE_KINDS)),
          region: Type.Optional(SingleLine({ maxLength: 64 })),
          online: Type.Optional(Type.Boolean()),
          provisioning: Type.Optional(
            Type.Enum(PROVISIONING_STATES, {
              description: 'whether the device can log in to the broker yet',
            }),
          ),
          q: Type.Optional(SingleLine({ maxLength: 100 })),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 100 }),
          // A city has about 100,000 devices.
          offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
        }),
        response: { 200: DeviceListResponse },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const q = request.query;
      return listDevices(app.db, {
        scope: scopeSql(user, '$1'),
        scopeParam: user.regionId,
        kind: q.kind,
        region: q.region,
        online: q.online,
        provisioning: q.provisioning,
        q: q.q?.trim() || undefined,
        limit: q.limit,
        offset: q.offset,
      });
    },
  );

  routes.get(
    '/api/devices/:id',
    {
      schema: {
        tags: ['devices'],
        summary: 'One device (403 outside the caller region)',
        params: Type.Object({ id: DeviceId }),
        response: { 200: Device },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const device = await getDevice(app.db, request.params.id);
      if (!device) throw new NotFound(`device ${request.params.id}`);
      if (!inScope(user, device.path)) throw new Forbidden(`device ${device.id} is outside your region`);
      return device;
    },
  );
}
