import {
  ALERT_STATES,
  AlertDetail,
  AlertList,
  Alert as AlertSchema,
  DEVICE_KINDS,
  MultiLine,
  REMARK_MAX,
  SEVERITIES,
  SingleLine,
} from '@gridwatch/devices';
import { Type } from 'typebox';
import { ErrorReply } from '../auth/schemas.ts';

export const AlertListQuery = Type.Object(
  {
    /** `open` = active or acknowledged. */
    state: Type.Optional(Type.Enum([...ALERT_STATES, 'open'])),
    severity: Type.Optional(Type.Enum(SEVERITIES)),
    /** Any region id (district, street, community or grid) inside the caller's region. */
    region: Type.Optional(SingleLine({ minLength: 1, maxLength: 64 })),
    kind: Type.Optional(Type.Enum(DEVICE_KINDS)),
    cause: Type.Optional(SingleLine({ minLength: 1, maxLength: 100 })),
    deviceId: Type.Optional(SingleLine({ minLength: 1, maxLength: 100 })),
    /** Only alerts changed at or after this time. */
    since: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);

export const AlertIdParams = Type.Object({ id: SingleLine({ minLength: 1, maxLength: 64 }) });

export const RemarkBody = Type.Object(
  { remark: Type.Optional(MultiLine({ maxLength: REMARK_MAX })) },
  { additionalProperties: false },
);

export { AlertDetail, AlertList, AlertSchema, ErrorReply };
