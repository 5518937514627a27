import type { Unit } from '@gridwatch/devices';
import { departmentId } from './directory.ts';

/**
 * The "N" linkage departments seeded at first start: EDITABLE DEFAULTS for an urban
 * district (rename, disable or add through `/api/units`). Each department type is what the
 * matter catalogue names as an item's lead department.
 */
const DEPARTMENTS: Array<[type: string, zh: string, en: string]> = [
  ['police', '派出所', 'Police station'],
  ['market-regulation', '市场监管所', 'Market regulation office'],
  ['urban-management', '城市管理综合执法大队', 'Urban-management enforcement'],
  ['fire', '消防救援站', 'Fire and rescue station'],
  ['power-supply', '供电所', 'Power supply office'],
  ['property', '物业服务企业', 'Property management'],
  ['gas', '燃气公司', 'Gas company'],
  ['water', '水务局', 'Water authority'],
  ['transport', '交通运输局', 'Transport bureau'],
  ['environment', '生态环境分局', 'Ecology and environment bureau'],
  ['housing', '住房和城乡建设局', 'Housing and construction bureau'],
  ['health', '卫生健康局', 'Health commission'],
  ['civil-affairs', '民政局', 'Civil affairs bureau'],
  ['human-resources', '人力资源和社会保障局', 'Human resources and social security bureau'],
  ['judicial', '司法所', 'Justice office (mediation)'],
  ['emergency', '应急管理局', 'Emergency management bureau'],
];

export const DEFAULT_DEPARTMENTS: readonly Unit[] = DEPARTMENTS.map(([type, nameZh, nameEn]) => ({
  id: departmentId(type),
  kind: 'department',
  nameZh,
  nameEn,
  regionId: null,
  departmentType: type,
  parentId: null,
  enabled: true,
}));
