import type { User } from '@gridwatch/devices';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { Forbidden } from '../infra/errors.ts';
import { CredentialRequired } from './errors.ts';
import { HOTLINE_KEY_HEADER, type HotlineSystem, type HotlineSystems } from './hotline.ts';
import {
  AlertIdParams,
  Case,
  CaseDetail,
  CaseIdParams,
  CaseList,
  CaseListQuery,
  ErrorReply,
  FromAlertBody,
  HotlineBody,
  HotlineReply,
  HotlineSystemBody,
  HotlineSystemCreated,
  HotlineSystemSchema,
  RatingBody,
  ReportBody,
  ResidentCaseStatus,
  ResidentReportBody,
  ResidentReportReply,
  TokenParams,
  TransitionBody,
} from './schemas.ts';
import { actorOf, type CaseService } from './service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The hotline system whose key authenticated this request (`POST /api/intake/hotline`). */
    hotlineSystem: HotlineSystem | null;
  }
}

const userOf = (request: FastifyRequest): User => {
  if (!request.user) throw new Error('auth hook did not run');
  return request.user;
};
const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };

/** Resident reports per address per hour (no account, so the address is all there is to limit). */
const RESIDENT_REPORTS_PER_HOUR = 20;

export function caseRoutes(
  app: FastifyInstance,
  deps: { cases: CaseService; hotline: HotlineSystems; residentRateMax?: number },
): void {
  const { cases, hotline } = deps;
  app.decorateRequest('hotlineSystem', null);

  app.get(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Cases in the caller’s region and units, most recently changed first',
        querystring: CaseListQuery,
        response: { 200: CaseList },
      },
    },
    async (request: FastifyRequest<{ Querystring: Static<typeof CaseListQuery> }>) =>
      cases.list(userOf(request), request.query),
  );

  app.get(
    '/api/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'One case: timeline, duplicate proposals, what the caller may do now, routing suggestion',
        params: CaseIdParams,
        response: { 200: CaseDetail, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: Static<typeof CaseIdParams> }>) =>
      cases.get(userOf(request), request.params.id),
  );

  app.post(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'A patrol report (grid officers) or an assignment from a higher level (dispatchers)',
        body: ReportBody,
        response: { 201: Case, ...errors },
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof ReportBody> }>, reply) => {
      const result = await cases.report(userOf(request), request.body);
      return reply.status(201).send(result.item);
    },
  );

  app.post(
    '/api/cases/from-alert/:alertId',
    {
      schema: {
        tags: ['cases'],
        summary:
          'Turn an alert into a case in one call: reported, accepted and dispatched (where routing suggests unless a unit is given)',
        params: AlertIdParams,
        body: FromAlertBody,
        response: { 201: Case, ...errors },
      },
    },
    async (
      request: FastifyRequest<{ Params: Static<typeof AlertIdParams>; Body: Static<typeof FromAlertBody> }>,
      reply,
    ) => {
      const item = await cases.openFromAlert(request.params.alertId, userOf(request), request.body ?? {});
      return reply.status(201).send(item);
    },
  );

  app.post(
    '/api/cases/:id/transitions',
    {
      schema: {
        tags: ['cases'],
        summary: 'One step of the loop (accept, dispatch, receive, …) on the version the caller saw',
        params: CaseIdParams,
        body: TransitionBody,
        response: { 200: Case, ...errors },
      },
    },
    async (
      request: FastifyRequest<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof TransitionBody> }>,
    ) => {
      const { action, version, ...payload } = request.body;
      return cases.transition(request.params.id, action, userOf(request), version, payload);
    },
  );

  // ------------------------------------------------------------ residents (no account)

  app.post(
    '/api/resident/reports',
    {
      config: {
        auth: 'public',
        rateLimit: { max: deps.residentRateMax ?? RESIDENT_REPORTS_PER_HOUR, timeWindow: 3_600_000 },
      },
      schema: {
        tags: ['cases'],
        summary: 'A resident reports a problem; the answer holds the status token (shown once)',
        body: ResidentReportBody,
        response: { 201: ResidentReportReply, ...errors },
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof ResidentReportBody> }>, reply) => {
      const result = await cases.intake({
        ...request.body,
        source: 'resident',
        reporter: { kind: 'resident', id: null },
      });
      return reply
        .status(201)
        .send({ number: result.item.number, state: result.item.state, statusToken: result.statusToken! });
    },
  );

  // The token is the credential: checked before anything else, 401 like the session guard.
  const tokenRoute = { auth: 'own' as const };
  app.get(
    '/api/resident/cases/:token',
    {
      config: tokenRoute,
      schema: {
        tags: ['cases'],
        summary: 'The status of a resident’s report, through the token of its link',
        params: TokenParams,
        response: { 200: ResidentCaseStatus, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: Static<typeof TokenParams> }>) =>
      cases.residentStatus(request.params.token),
  );

  app.post<{ Params: Static<typeof TokenParams>; Body: Static<typeof RatingBody> }>(
    '/api/resident/cases/:token/rating',
    {
      config: tokenRoute,
      onRequest: async (request) => {
        // Unknown tokens answer 401 before the body is looked at.
        await cases.residentStatus(request.params.token ?? '');
      },
      schema: {
        tags: ['cases'],
        summary: 'The resident rates the result of a closed case (满意度, 1–5), once',
        params: TokenParams,
        body: RatingBody,
        response: { 200: ResidentCaseStatus, ...errors },
      },
    },
    async (request) =>
      cases.residentRate(request.params.token, request.body.satisfaction, request.body.remark),
  );

  // ------------------------------------------------------------ hotline systems (12345, 110)

  app.post<{ Body: Static<typeof HotlineBody> }>(
    '/api/intake/hotline',
    {
      config: { auth: 'own' },
      onRequest: async (request) => {
        const header = request.headers[HOTLINE_KEY_HEADER];
        request.hotlineSystem = await hotline.authenticate(typeof header === 'string' ? header : undefined);
      },
      schema: {
        tags: ['cases'],
        summary: `A call passed on by a hotline system (key in the ${HOTLINE_KEY_HEADER} header); sent again with the same externalRef, the same case answers (200)`,
        body: HotlineBody,
        response: { 200: HotlineReply, 201: HotlineReply, ...errors },
      },
    },
    async (request, reply) => {
      const system = request.hotlineSystem;
      if (!system) throw new CredentialRequired('hotline key (x-api-key header)');
      const result = await cases.intake({
        ...request.body,
        source: 'hotline',
        reporter: { kind: 'hotline', id: system.id },
        hotlineSystem: system.id,
      });
      const { id, number, state } = result.item;
      return reply.status(result.created ? 201 : 200).send({ id, number, state, created: result.created });
    },
  );

  const commanderOnly = (request: FastifyRequest) => {
    if (!actorOf(userOf(request)).roles.includes('commander')) {
      throw new Forbidden('managing hotline systems needs the role commander');
    }
  };

  app.get(
    '/api/hotline-systems',
    {
      schema: {
        tags: ['cases'],
        summary: 'Registered hotline systems (commanders)',
        response: { 200: Type.Array(HotlineSystemSchema), ...errors },
      },
    },
    async (request: FastifyRequest) => {
      commanderOnly(request);
      return hotline.list();
    },
  );

  app.post(
    '/api/hotline-systems',
    {
      schema: {
        tags: ['cases'],
        summary: 'Register a hotline system; the answer holds its key, shown once (commanders)',
        body: HotlineSystemBody,
        response: { 201: HotlineSystemCreated, ...errors },
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof HotlineSystemBody> }>, reply) => {
      commanderOnly(request);
      return reply.status(201).send(await hotline.register(userOf(request).username, request.body));
    },
  );
}
