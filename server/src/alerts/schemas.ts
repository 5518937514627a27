import {
  ALERT_STATES,
  AlertDetail,
  AlertList,
  Alert as AlertSchema,
  DEVICE_KINDS,
  SEVERITIES,
} from '@gridwatch/devices';
import { Type } from 'typebox';
import { ErrorReply } from '../auth/schemas.ts';
import { REMARK_MAX } from './service.ts';

export const AlertListQuery = Type.Object(
  {
    /** `open` = active or acknowledged. */
    state: Type.Optional(Type.Enum([...ALERT_STATES, 'open'])),
    severity: Type.Optional(Type.Enum(SEVERITIES)),
    /** Any region id (district, street, community or grid) inside the caller's region. */
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    kind: Type.Optional(Type.Enum(DEVICE_KINDS)),
    cause: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    deviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** Only alerts changed at or after this time. */
    since: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);

export const AlertIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const RemarkBody = Type.Object(
  { remark: Type.Optional(Type.String({ maxLength: REMARK_MAX })) },
  { additionalProperties: false },
);

export { AlertDetail, AlertList, AlertSchema, ErrorReply };
