import { type Static, Type } from 'typebox';
import type { Case } from './api-cases.ts';
import { DEVICE_KINDS, SEVERITIES } from './kinds.ts';

/**
 * Contracts shared by the server's REST routes and Socket.IO, the dashboard and the
 * simulators. One schema per message; types come from `Static<>`.
 */
export const REGION_LEVELS = ['district', 'street', 'community', 'grid'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

export const ALERT_STATES = ['active', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/**
 * What a user may do. `officer` is the street duty officer for alerts; `handler` works cases
 * in a department or centre; `grid-officer` patrols grids; `verifier` checks results. A user
 * holds one or more; `User.role` is the primary one.
 */
export const ROLES = [
  'commander',
  'dispatcher',
  'officer',
  'handler',
  'grid-officer',
  'verifier',
  'viewer',
] as const;
export type Role = (typeof ROLES)[number];

/** Region ids from district down to grid; missing levels are null. */
export const RegionPath = Type.Object({
  district: Type.Union([Type.String(), Type.Null()]),
  street: Type.Union([Type.String(), Type.Null()]),
  community: Type.Union([Type.String(), Type.Null()]),
  grid: Type.Union([Type.String(), Type.Null()]),
});
export type RegionPath = Static<typeof RegionPath>;

export const Region = Type.Object({
  id: Type.String(),
  level: Type.Enum(REGION_LEVELS),
  name: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
});
export type Region = Static<typeof Region>;

export const PROVISIONING_STATES = ['pending', 'ready', 'failed'] as const;
export type ProvisioningState = (typeof PROVISIONING_STATES)[number];

export const Device = Type.Object({
  id: Type.String(),
  kind: Type.Enum(DEVICE_KINDS),
  name: Type.String(),
  lon: Type.Union([Type.Number(), Type.Null()]),
  lat: Type.Union([Type.Number(), Type.Null()]),
  /** Residential compound or service station the device belongs to, if any. */
  site: Type.Union([Type.String(), Type.Null()]),
  gridId: Type.Union([Type.String(), Type.Null()]),
  path: RegionPath,
  online: Type.Boolean(),
  lastSeen: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  /**
   * Whether the device can log in to the broker: `pending` from its import until the broker
   * accepts its account, then `ready`; `failed` with `provisioningError` saying why.
   */
  provisioning: Type.Enum(PROVISIONING_STATES),
  provisioningError: Type.Union([Type.String(), Type.Null()]),
});
export type Device = Static<typeof Device>;

export const AlertHistoryEntry = Type.Object({
  at: Type.String(),
  action: Type.Enum(['raised', 'repeated', 'acknowledged', 'resolved', 'cleared', 'escalated', 'overdue']),
  by: Type.Union([Type.String(), Type.Null()]),
  remark: Type.Union([Type.String(), Type.Null()]),
});
export type AlertHistoryEntry = Static<typeof AlertHistoryEntry>;

export const Alert = Type.Object({
  id: Type.String(),
  /** Rule id that raised it, e.g. `charger-over-temperature`, `fire-risk`. */
  cause: Type.String(),
  severity: Type.Enum(SEVERITIES),
  state: Type.Enum(ALERT_STATES),
  /** The device the alert is about (the first one for an incident). */
  deviceId: Type.String(),
  deviceKind: Type.Enum(DEVICE_KINDS),
  /** Every device involved; more than one for a correlated incident. */
  deviceIds: Type.Array(Type.String()),
  site: Type.Union([Type.String(), Type.Null()]),
  path: RegionPath,
  message: Type.String(),
  count: Type.Integer(),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  /** Condition ended by itself (auto-clear); the alert may still await acknowledgement. */
  clearedAt: Type.Union([Type.String(), Type.Null()]),
  ackBy: Type.Union([Type.String(), Type.Null()]),
  ackAt: Type.Union([Type.String(), Type.Null()]),
  ackRemark: Type.Union([Type.String(), Type.Null()]),
  resolvedBy: Type.Union([Type.String(), Type.Null()]),
  resolvedAt: Type.Union([Type.String(), Type.Null()]),
  /** Acknowledge before this time; later is overdue. */
  ackDueAt: Type.String(),
  overdue: Type.Boolean(),
  lon: Type.Union([Type.Number(), Type.Null()]),
  lat: Type.Union([Type.Number(), Type.Null()]),
});
export type Alert = Static<typeof Alert>;

/** One page of `GET /api/alerts`, newest first. */
export const AlertList = Type.Object({
  items: Type.Array(Alert),
  /** Matching alerts in the caller's scope, all pages. */
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});
export type AlertList = Static<typeof AlertList>;

/** `GET /api/alerts/:id`: the alert and its full history, in the order it was recorded. */
export const AlertDetail = Type.Object({ ...Alert.properties, history: Type.Array(AlertHistoryEntry) });
export type AlertDetail = Static<typeof AlertDetail>;

export const User = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  /** The primary role (the first of `roles`), kept for code that knows one role per user. */
  role: Type.Enum(ROLES),
  /** Every role the user holds; never empty, `role` first. */
  roles: Type.Array(Type.Enum(ROLES), { minItems: 1 }),
  /** Region the user sees and acts on; the district for commanders. */
  regionId: Type.String(),
  /** The unit (centre or department) the user belongs to, if any. */
  unitId: Type.Union([Type.String(), Type.Null()]),
});
export type User = Static<typeof User>;

/** What happened to the account since the user's previous login, told once in the login reply. */
export const LoginNotice = Type.Object({
  /** Wrong passwords given for this username since the previous successful login. */
  failedAttempts: Type.Integer({ minimum: 0 }),
  /** When the last of those was, if any. */
  lastFailedAt: Type.Union([Type.String(), Type.Null()]),
  /** The previous successful login, if any. */
  previousLoginAt: Type.Union([Type.String(), Type.Null()]),
});
export type LoginNotice = Static<typeof LoginNotice>;

export interface DeviceStatusUpdate {
  deviceId: string;
  online: boolean;
  at: string;
}

/** Socket.IO events the server emits. */
export interface ServerToClientEvents {
  'alert:new': (alert: Alert) => void;
  'alert:update': (alert: Alert) => void;
  'device:status': (update: DeviceStatusUpdate) => void;
  /** A case opened in, or dispatched to, one of the socket's rooms (region or unit); contact masked. */
  'case:new': (item: Case) => void;
  'case:update': (item: Case) => void;
}

export type AckResult = { ok: true; alert: Alert } | { ok: false; error: string };

/** Socket.IO events a client may send; every one answers through its callback. */
export interface ClientToServerEvents {
  /** Everything active or acknowledged in the caller's scope, plus whatever changed since `since`. */
  'alerts:sync': (query: { since?: string }, reply: (alerts: Alert[]) => void) => void;
  'alert:ack': (request: { id: string; remark?: string }, reply: (result: AckResult) => void) => void;
  /** Open cases the caller may see, plus those changed since `since` (contact masked). */
  'cases:sync': (query: { since?: string }, reply: (cases: Case[]) => void) => void;
}

export const SOCKET_PATH = '/socket.io';
