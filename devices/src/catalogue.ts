import type { TSchema } from 'typebox';
import type { DeviceKind, Severity } from './kinds.ts';
import type { CorrelationRule, DeviceRule } from './rules.ts';
import {
  type CAMERA_EVENTS,
  CameraEvent,
  CameraTelemetry,
  type CHARGER_EVENTS,
  ChargerEvent,
  ChargerTelemetry,
  DeviceStatus,
  type LOCKER_EVENTS,
  LockerEvent,
  LockerTelemetry,
} from './schemas.ts';

export interface Label {
  'zh-CN': string;
  en: string;
}

export interface MetricSpec {
  unit: string;
  label: Label;
}

export interface EventSpec {
  label: Label;
  severity: Severity;
}

export interface KindSpec {
  kind: DeviceKind;
  label: Label;
  /** Seconds between telemetry reports. */
  reportingIntervalS: number;
  schemas: { telemetry: TSchema; event: TSchema; status: TSchema };
  /** Numeric telemetry fields: what charts and rules can use. */
  metrics: Record<string, MetricSpec>;
  events: Record<string, EventSpec>;
  rules: DeviceRule[];
}

const l = (zh: string, en: string): Label => ({ 'zh-CN': zh, en });

const camera: KindSpec = {
  kind: 'camera',
  label: l('视频监控', 'Camera'),
  reportingIntervalS: 30,
  schemas: { telemetry: CameraTelemetry, event: CameraEvent, status: DeviceStatus },
  metrics: {
    fps: { unit: 'fps', label: l('帧率', 'Frame rate') },
    bitrateKbps: { unit: 'kbit/s', label: l('码率', 'Bitrate') },
    storageUsedPct: { unit: '%', label: l('存储占用', 'Storage used') },
    temperatureC: { unit: '°C', label: l('设备温度', 'Temperature') },
    peopleCount: { unit: '人', label: l('人数', 'People count') },
  },
  events: {
    'video-loss': { label: l('视频丢失', 'Video loss'), severity: 'major' },
    tamper: { label: l('遮挡/破坏', 'Tamper / occlusion'), severity: 'major' },
    'disk-full': { label: l('存储已满', 'Disk full'), severity: 'minor' },
    intrusion: { label: l('区域入侵', 'Intrusion'), severity: 'major' },
    loitering: { label: l('徘徊', 'Loitering'), severity: 'warning' },
    'crowd-density': { label: l('人群密集', 'Crowd density'), severity: 'major' },
    smoke: { label: l('烟火', 'Smoke / fire'), severity: 'critical' },
    'ebike-in-lift': { label: l('电动车进电梯', 'E-bike in lift'), severity: 'major' },
  } satisfies Record<(typeof CAMERA_EVENTS)[number], EventSpec>,
  rules: [
    { id: 'camera-offline', type: 'silence', intervals: 3, severity: 'major' },
    {
      id: 'camera-low-fps',
      type: 'threshold',
      metric: 'fps',
      direction: 'below',
      raiseAt: 5,
      clearAt: 10,
      forS: 120,
      clearForS: 120,
      severity: 'minor',
    },
    {
      id: 'camera-storage-high',
      type: 'threshold',
      metric: 'storageUsedPct',
      direction: 'above',
      raiseAt: 95,
      clearAt: 90,
      forS: 300,
      clearForS: 300,
      severity: 'warning',
    },
    {
      id: 'camera-overheat',
      type: 'threshold',
      metric: 'temperatureC',
      direction: 'above',
      raiseAt: 75,
      clearAt: 70,
      forS: 60,
      clearForS: 120,
      severity: 'minor',
    },
    {
      id: 'unusual-people-count',
      type: 'statistical',
      metric: 'peopleCount',
      minDeviation: 15,
      severity: 'warning',
    },
    { id: 'camera-smoke', type: 'event', event: 'smoke', severity: 'critical', clearAfterS: 600 },
    { id: 'camera-video-loss', type: 'event', event: 'video-loss', severity: 'major', clearAfterS: 300 },
    { id: 'camera-tamper', type: 'event', event: 'tamper', severity: 'major', clearAfterS: 600 },
    {
      id: 'camera-ebike-in-lift',
      type: 'event',
      event: 'ebike-in-lift',
      severity: 'major',
      clearAfterS: 300,
    },
    {
      id: 'camera-crowd-density',
      type: 'event',
      event: 'crowd-density',
      severity: 'major',
      clearAfterS: 600,
    },
    { id: 'camera-intrusion', type: 'event', event: 'intrusion', severity: 'major', clearAfterS: 300 },
    { id: 'camera-disk-full', type: 'event', event: 'disk-full', severity: 'minor' },
  ],
};

const charger: KindSpec = {
  kind: 'charger',
  label: l('智能充电桩', 'Charger'),
  reportingIntervalS: 15,
  schemas: { telemetry: ChargerTelemetry, event: ChargerEvent, status: DeviceStatus },
  metrics: {
    voltageV: { unit: 'V', label: l('电压', 'Voltage') },
    currentA: { unit: 'A', label: l('电流', 'Current') },
    powerKw: { unit: 'kW', label: l('功率', 'Power') },
    energyKwh: { unit: 'kWh', label: l('累计电量', 'Energy') },
    temperatureC: { unit: '°C', label: l('温度', 'Temperature') },
    leakageMa: { unit: 'mA', label: l('漏电流', 'Leakage current') },
  },
  events: {
    'over-current': { label: l('过流', 'Over-current'), severity: 'major' },
    'over-voltage': { label: l('过压', 'Over-voltage'), severity: 'minor' },
    'under-voltage': { label: l('欠压', 'Under-voltage'), severity: 'minor' },
    'over-temperature': { label: l('过温', 'Over-temperature'), severity: 'major' },
    leakage: { label: l('漏电', 'Leakage (ground fault)'), severity: 'critical' },
    'short-circuit': { label: l('短路', 'Short circuit'), severity: 'critical' },
    smoke: { label: l('烟雾', 'Smoke'), severity: 'critical' },
    'door-open': { label: l('柜门异常打开', 'Abnormal door open'), severity: 'minor' },
    'door-lock-fault': { label: l('门锁故障', 'Door-lock fault'), severity: 'minor' },
    'meter-failure': { label: l('电表/开关故障', 'Meter or switch failure'), severity: 'minor' },
    'weak-signal': { label: l('信号弱', 'Weak signal'), severity: 'warning' },
  } satisfies Record<(typeof CHARGER_EVENTS)[number], EventSpec>,
  rules: [
    { id: 'charger-offline', type: 'silence', intervals: 3, severity: 'major' },
    {
      id: 'charger-over-temperature',
      type: 'threshold',
      metric: 'temperatureC',
      direction: 'above',
      raiseAt: 65,
      clearAt: 55,
      forS: 30,
      clearForS: 60,
      severity: 'critical',
    },
    {
      id: 'charger-temperature-rising',
      type: 'rate',
      metric: 'temperatureC',
      direction: 'rise',
      perMinute: 10,
      windowS: 60,
      severity: 'major',
    },
    {
      id: 'charger-leakage-current',
      type: 'threshold',
      metric: 'leakageMa',
      direction: 'above',
      raiseAt: 30,
      clearAt: 10,
      forS: 0,
      clearForS: 60,
      severity: 'critical',
    },
    {
      id: 'unusual-charging-current',
      type: 'statistical',
      metric: 'currentA',
      minDeviation: 7,
      severity: 'warning',
    },
    { id: 'charger-smoke', type: 'event', event: 'smoke', severity: 'critical', clearAfterS: 600 },
    { id: 'charger-leakage', type: 'event', event: 'leakage', severity: 'critical', clearAfterS: 600 },
    {
      id: 'charger-short-circuit',
      type: 'event',
      event: 'short-circuit',
      severity: 'critical',
      clearAfterS: 600,
    },
    { id: 'charger-over-current', type: 'event', event: 'over-current', severity: 'major', clearAfterS: 300 },
    { id: 'charger-door-open', type: 'event', event: 'door-open', severity: 'minor', clearAfterS: 300 },
  ],
};

const locker: KindSpec = {
  kind: 'locker',
  label: l('智能快递柜', 'Service locker'),
  reportingIntervalS: 60,
  schemas: { telemetry: LockerTelemetry, event: LockerEvent, status: DeviceStatus },
  metrics: {
    doorsOpen: { unit: '', label: l('开启柜门数', 'Doors open') },
    compartmentsUsed: { unit: '', label: l('已用格口', 'Compartments used') },
    compartmentsTotal: { unit: '', label: l('格口总数', 'Compartments') },
    coldTempC: { unit: '°C', label: l('冷藏温度', 'Cold compartment temperature') },
    batteryPct: { unit: '%', label: l('电池电量', 'Battery') },
  },
  events: {
    'door-left-open': { label: l('柜门未关', 'Door left open'), severity: 'minor' },
    'forced-open': { label: l('暴力开启', 'Forced open'), severity: 'critical' },
    'lock-fault': { label: l('锁故障', 'Lock fault'), severity: 'minor' },
    'power-loss': { label: l('市电断电', 'Power loss'), severity: 'major' },
    'temperature-out-of-range': { label: l('冷藏温度异常', 'Temperature out of range'), severity: 'minor' },
    'scanner-fault': { label: l('扫码器故障', 'Scanner fault'), severity: 'warning' },
  } satisfies Record<(typeof LOCKER_EVENTS)[number], EventSpec>,
  rules: [
    { id: 'locker-offline', type: 'silence', intervals: 3, severity: 'minor' },
    {
      id: 'locker-cold-too-warm',
      type: 'threshold',
      metric: 'coldTempC',
      direction: 'above',
      raiseAt: 8,
      clearAt: 6,
      forS: 600,
      clearForS: 300,
      severity: 'minor',
    },
    {
      id: 'locker-battery-low',
      type: 'threshold',
      metric: 'batteryPct',
      direction: 'below',
      raiseAt: 20,
      clearAt: 30,
      forS: 60,
      clearForS: 60,
      severity: 'warning',
    },
    { id: 'locker-forced-open', type: 'event', event: 'forced-open', severity: 'critical', clearAfterS: 900 },
    {
      id: 'locker-door-left-open',
      type: 'event',
      event: 'door-left-open',
      severity: 'minor',
      clearAfterS: 600,
    },
    { id: 'locker-power-loss', type: 'event', event: 'power-loss', severity: 'major', clearAfterS: 900 },
  ],
};

export const CATALOGUE: Record<DeviceKind, KindSpec> = { camera, charger, locker };

/** Cross-device incidents. */
export const CORRELATION_RULES: CorrelationRule[] = [
  {
    id: 'fire-risk',
    type: 'correlation',
    scope: 'compound',
    windowS: 300,
    severity: 'critical',
    requires: [
      {
        kind: 'charger',
        causes: [
          'charger-over-temperature',
          'charger-temperature-rising',
          'charger-smoke',
          'charger-short-circuit',
        ],
      },
      { kind: 'camera', causes: ['camera-smoke'] },
    ],
  },
];

/** Labels for alert causes (rule ids), for the dashboard and alert messages. */
export const CAUSE_LABELS: Record<string, Label> = {
  'camera-offline': l('摄像头离线', 'Camera offline'),
  'camera-low-fps': l('帧率过低', 'Low frame rate'),
  'camera-storage-high': l('存储将满', 'Storage nearly full'),
  'camera-overheat': l('摄像头过热', 'Camera overheating'),
  'unusual-people-count': l('人数异常', 'Unusual people count'),
  'camera-smoke': l('烟火报警', 'Smoke / fire detected'),
  'camera-video-loss': l('视频丢失', 'Video loss'),
  'camera-tamper': l('镜头遮挡/破坏', 'Camera tampered'),
  'camera-ebike-in-lift': l('电动车进电梯', 'E-bike carried into lift'),
  'camera-crowd-density': l('人群密集', 'Crowd density'),
  'camera-intrusion': l('区域入侵', 'Intrusion'),
  'camera-disk-full': l('存储已满', 'Disk full'),
  'charger-offline': l('充电桩离线', 'Charger offline'),
  'charger-over-temperature': l('充电桩过温', 'Charger over-temperature'),
  'charger-temperature-rising': l('温度快速上升', 'Temperature rising fast'),
  'charger-leakage-current': l('漏电流超限', 'Leakage current high'),
  'unusual-charging-current': l('充电电流异常', 'Unusual charging current'),
  'charger-smoke': l('充电桩烟雾', 'Charger smoke'),
  'charger-leakage': l('充电桩漏电', 'Charger ground fault'),
  'charger-short-circuit': l('充电桩短路', 'Charger short circuit'),
  'charger-over-current': l('充电桩过流', 'Charger over-current'),
  'charger-door-open': l('柜门异常打开', 'Charger door open'),
  'locker-offline': l('快递柜离线', 'Locker offline'),
  'locker-cold-too-warm': l('冷藏温度过高', 'Cold compartment too warm'),
  'locker-battery-low': l('电池电量低', 'Battery low'),
  'locker-forced-open': l('快递柜暴力开启', 'Locker forced open'),
  'locker-door-left-open': l('柜门未关', 'Locker door left open'),
  'locker-power-loss': l('快递柜断电', 'Locker power loss'),
  'fire-risk': l('火灾风险', 'Fire risk'),
};

export const SEVERITY_LABELS: Record<Severity, Label> = {
  critical: l('紧急', 'Critical'),
  major: l('重要', 'Major'),
  minor: l('次要', 'Minor'),
  warning: l('提示', 'Warning'),
};

export function ruleById(id: string): DeviceRule | CorrelationRule | undefined {
  for (const spec of Object.values(CATALOGUE)) {
    const rule = spec.rules.find((r) => r.id === id);
    if (rule) return rule;
  }
  return CORRELATION_RULES.find((r) => r.id === id);
}
