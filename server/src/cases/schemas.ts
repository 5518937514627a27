import {
  CASE_ACTIONS,
  CASE_SOURCES,
  CASE_STATES,
  Case,
  CaseDetail,
  CaseList,
  ResidentCaseStatus,
} from '@gridwatch/devices';
import { type TSchema, Type } from 'typebox';
import { ErrorReply } from '../auth/schemas.ts';
import { REASON_MAX } from './core/machine.ts';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const Code = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9][A-Za-z0-9-]*$' });
const Lon = Type.Number({ minimum: -180, maximum: 180 });
const Lat = Type.Number({ minimum: -90, maximum: 90 });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Where and what: shared by every intake route. A grid id, or a position inside a grid. */
const Place = {
  gridId: Type.Optional(Id),
  lon: Type.Optional(Lon),
  lat: Type.Optional(Lat),
};
const What = {
  title: Type.Optional(Text(120)),
  description: Text(4000),
  /** A matter item code of the current catalogue. */
  matterItem: Type.Optional(Code),
};
const Contact = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 60 })),
    phone: Type.Optional(Type.String({ maxLength: 30 })),
  },
  { additionalProperties: false },
);

/** `POST /api/cases`: a grid officer's patrol report, or an assignment from a higher level. */
export const ReportBody = Type.Object(
  {
    source: Type.Enum(['patrol', 'assignment']),
    ...What,
    ...Place,
    deviceIds: Type.Optional(Type.Array(Id, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

/** `POST /api/resident/reports`: a resident, without an account. */
export const ResidentReportBody = Type.Object(
  { ...What, ...Place, contact: Type.Optional(Contact) },
  { additionalProperties: false },
);
export const ResidentReportReply = Type.Object({
  number: Type.Integer(),
  state: Type.Enum(CASE_STATES),
  /** Keep it: the only way to see the status and rate the result later. Shown once. */
  statusToken: Type.String(),
});

/** `POST /api/intake/hotline`: a call passed on by 12345 or 110; `externalRef` is the idempotency key. */
export const HotlineBody = Type.Object(
  {
    externalRef: Type.String({ minLength: 1, maxLength: 100 }),
    ...What,
    ...Place,
    contact: Type.Optional(Contact),
  },
  { additionalProperties: false },
);

/** `POST /api/cases/from-alert/:alertId` */
export const FromAlertBody = Type.Object(
  {
    matterItem: Type.Optional(Code),
    /** Dispatch here instead of where routing suggests. */
    unitId: Type.Optional(Id),
    assigneeId: Type.Optional(Nullable(Id)),
    coUnitIds: Type.Optional(Type.Array(Id, { maxItems: 10 })),
    remark: Type.Optional(Type.String({ maxLength: REASON_MAX })),
  },
  { additionalProperties: false },
);

/** `POST /api/cases/:id/transitions` */
export const TransitionBody = Type.Object(
  {
    action: Type.Enum(CASE_ACTIONS.filter((a) => a !== 'rate')),
    /** The version the caller saw; a newer one on the server answers 409. */
    version: Type.Integer({ minimum: 1 }),
    remark: Type.Optional(Type.String({ maxLength: REASON_MAX })),
    unitId: Type.Optional(Id),
    assigneeId: Type.Optional(Nullable(Id)),
    coUnitIds: Type.Optional(Type.Array(Id, { maxItems: 10 })),
    attachmentIds: Type.Optional(Type.Array(Id, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

export const CaseListQuery = Type.Object(
  {
    /** `open` = neither closed nor rejected. */
    state: Type.Optional(Type.Enum([...CASE_STATES, 'open'])),
    source: Type.Optional(Type.Enum(CASE_SOURCES)),
    /** Led or co-handled by this unit. */
    unit: Type.Optional(Id),
    /** Only cases assigned to the caller. */
    mine: Type.Optional(Type.Boolean()),
    region: Type.Optional(Id),
    matterItem: Type.Optional(Code),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);

export const CaseIdParams = Type.Object({ id: Id });
export const AlertIdParams = Type.Object({ alertId: Id });
export const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) });

export const RatingBody = Type.Object(
  {
    satisfaction: Type.Integer({ minimum: 1, maximum: 5 }),
    remark: Type.Optional(Type.String({ maxLength: REASON_MAX })),
  },
  { additionalProperties: false },
);

export const HotlineSystemBody = Type.Object(
  {
    id: Type.String({ minLength: 2, maxLength: 40, pattern: '^[a-z0-9][a-z0-9-]*$' }),
    name: Text(100),
    webhookUrl: Type.Optional(Nullable(Type.String({ format: 'uri', maxLength: 500 }))),
  },
  { additionalProperties: false },
);
export const HotlineSystemSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  webhookUrl: Nullable(Type.String()),
  enabled: Type.Boolean(),
  createdBy: Type.String(),
  createdAt: Type.String(),
});
export const HotlineSystemCreated = Type.Object({
  system: HotlineSystemSchema,
  /** Shown once; only its hash is kept. */
  key: Type.String(),
});

export const HotlineReply = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  state: Type.Enum(CASE_STATES),
  /** False when this `externalRef` had already made the case (a repeated send). */
  created: Type.Boolean(),
});

export { Case, CaseDetail, CaseList, ErrorReply, ResidentCaseStatus };
