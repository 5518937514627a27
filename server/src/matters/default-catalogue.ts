import type { MatterItem } from '@gridwatch/devices';

/**
 * The default matter catalogue (事项清单): 6 categories and 80 items written for an urban
 * district, after the duty list of the seeds ("6大类80项", each with a lead department and a
 * minimum handling time limit). These are EDITABLE DEFAULTS: a district replaces them
 * through the API or a CSV import. The seeds give no minute values, so every limit comes
 * from one of the urgency classes below (documented in docs/matters.md).
 */
export const LIMIT_CLASSES = {
  /** Danger to life or property now: 5 min to accept, 10 min to receive, 2 h to handle, 4 h to verify. */
  urgent: { acceptLimitS: 300, receiveLimitS: 600, handleLimitS: 7_200, verifyLimitS: 14_400 },
  /** A hazard that grows if left: 30 min, 1 h, 24 h, 24 h. */
  high: { acceptLimitS: 1_800, receiveLimitS: 3_600, handleLimitS: 86_400, verifyLimitS: 86_400 },
  /** Ordinary matters: 2 h, 4 h, 3 days, 2 days. */
  normal: { acceptLimitS: 7_200, receiveLimitS: 14_400, handleLimitS: 259_200, verifyLimitS: 172_800 },
  /** Services and slow repairs: 4 h, 8 h, 7 days, 3 days. */
  long: { acceptLimitS: 14_400, receiveLimitS: 28_800, handleLimitS: 604_800, verifyLimitS: 259_200 },
} as const;
type LimitClass = keyof typeof LIMIT_CLASSES;

const CATEGORIES = {
  FIRE: ['消防与电动车安全', 'Fire and e-bike safety'],
  ORDER: ['社会治安', 'Public order'],
  URBAN: ['城市管理', 'Urban management'],
  DISPUTE: ['矛盾纠纷', 'Disputes'],
  SERVICE: ['民生服务', 'Livelihood services'],
  FACILITY: ['公共设施', 'Public facilities'],
} as const;
type Category = keyof typeof CATEGORIES;

/** [zh, en, lead department, tier, limit class, flags: p = photo required, v = verification required] */
type Row = [string, string, string, MatterItem['tier'], LimitClass, '' | 'p' | 'v' | 'pv'];

const ROWS: Record<Category, Row[]> = {
  FIRE: [
    ['电动自行车楼道停放充电', 'E-bike parked or charged in a stairwell', 'fire', 'grid', 'high', 'pv'],
    ['飞线充电', 'Fly-wire charging from a window', 'fire', 'grid', 'high', 'pv'],
    ['电动自行车进电梯', 'E-bike carried into a lift', 'property', 'grid', 'high', 'pv'],
    [
      '充电设施故障或过温',
      'Charging station fault or over-temperature',
      'property',
      'community',
      'urgent',
      'pv',
    ],
    ['消防通道堵塞占用', 'Fire lane blocked', 'fire', 'grid', 'high', 'pv'],
    ['安全出口锁闭堵塞', 'Emergency exit locked or blocked', 'fire', 'community', 'high', 'pv'],
    ['消防设施损坏缺失', 'Fire-fighting equipment damaged or missing', 'fire', 'community', 'normal', 'pv'],
    ['楼道堆放易燃杂物', 'Combustibles piled in a corridor', 'fire', 'grid', 'normal', 'pv'],
    ['违规使用瓶装液化气', 'Bottled gas used against the rules', 'gas', 'street', 'high', 'pv'],
    [
      '“三合一”场所住人',
      'People living in a shop or workshop (three-in-one)',
      'fire',
      'street',
      'high',
      'pv',
    ],
    ['群租房消防隐患', 'Overcrowded rental with fire risk', 'police', 'street', 'high', 'pv'],
    ['发现明火或冒烟', 'Open fire or smoke sighted', 'fire', 'district', 'urgent', 'pv'],
    ['燃气泄漏或异味', 'Gas leak or smell of gas', 'gas', 'district', 'urgent', 'pv'],
    [
      '电气线路老化私拉乱接',
      'Aged or illegal electrical wiring',
      'power-supply',
      'community',
      'normal',
      'pv',
    ],
    ['高层建筑消防设施停用', 'High-rise fire systems out of service', 'fire', 'street', 'normal', 'pv'],
  ],
  ORDER: [
    ['可疑人员或物品', 'Suspicious person or object', 'police', 'district', 'urgent', 'v'],
    ['聚集性事件苗头', 'Signs of a mass gathering', 'police', 'street', 'urgent', 'v'],
    ['盗窃线索', 'Theft lead', 'police', 'community', 'high', 'v'],
    ['黄赌毒线索', 'Gambling, drugs or prostitution lead', 'police', 'street', 'high', 'v'],
    ['重点人员动态异常', 'Change in a person under community care', 'police', 'community', 'high', 'v'],
    ['流动人口未登记', 'Migrant resident not registered', 'police', 'grid', 'normal', 'v'],
    ['出租房屋未登记', 'Rental housing not registered', 'police', 'grid', 'normal', 'v'],
    ['治安监控设施损坏', 'Public-safety camera damaged or offline', 'police', 'community', 'normal', 'pv'],
    ['非法营运车辆', 'Unlicensed taxi or transport', 'transport', 'street', 'normal', 'pv'],
    ['校园周边安全隐患', 'Safety hazard around a school', 'police', 'street', 'high', 'pv'],
    ['电信网络诈骗线索', 'Telecom or online fraud lead', 'police', 'community', 'high', 'v'],
    ['违规燃放烟花爆竹', 'Fireworks set off against the rules', 'police', 'grid', 'high', 'v'],
    ['夜间噪声扰民', 'Noise nuisance at night', 'police', 'grid', 'normal', 'v'],
    [
      '严重精神障碍患者肇事风险',
      'Risk from a person with severe mental illness',
      'health',
      'community',
      'urgent',
      'v',
    ],
  ],
  URBAN: [
    ['占道经营', 'Street vending on the road', 'urban-management', 'grid', 'normal', 'pv'],
    ['店外经营', 'Business spilling out of a shopfront', 'urban-management', 'grid', 'normal', 'pv'],
    ['违法建设', 'Illegal construction', 'urban-management', 'street', 'high', 'pv'],
    ['乱贴乱画小广告', 'Illegal posters or graffiti', 'urban-management', 'grid', 'normal', 'pv'],
    ['户外广告牌安全隐患', 'Unsafe outdoor billboard', 'urban-management', 'street', 'high', 'pv'],
    ['垃圾未及时清运', 'Rubbish not collected', 'urban-management', 'community', 'normal', 'pv'],
    ['垃圾分类不规范', 'Waste not sorted', 'urban-management', 'grid', 'long', 'pv'],
    ['渣土车遗撒', 'Spillage from a muck truck', 'urban-management', 'street', 'high', 'pv'],
    ['工地扬尘', 'Dust from a building site', 'environment', 'street', 'normal', 'pv'],
    ['露天焚烧', 'Open burning', 'environment', 'grid', 'high', 'pv'],
    ['餐饮油烟扰民', 'Restaurant fumes nuisance', 'environment', 'street', 'normal', 'pv'],
    ['机动车乱停放堵路', 'Vehicle parked blocking the way', 'police', 'grid', 'normal', 'pv'],
    ['共享单车乱停放', 'Shared bikes parked in disorder', 'urban-management', 'grid', 'long', 'pv'],
    ['绿化损毁', 'Damaged green space', 'urban-management', 'community', 'long', 'pv'],
    ['违规养犬', 'Dog kept or walked against the rules', 'police', 'grid', 'normal', 'v'],
    ['道路积水', 'Flooded road', 'water', 'street', 'high', 'pv'],
  ],
  DISPUTE: [
    ['邻里纠纷', 'Dispute between neighbours', 'judicial', 'grid', 'normal', 'v'],
    ['婚姻家庭纠纷', 'Family or marriage dispute', 'judicial', 'community', 'normal', 'v'],
    ['物业服务纠纷', 'Dispute with property management', 'housing', 'community', 'normal', 'v'],
    ['劳资纠纷欠薪', 'Unpaid wages', 'human-resources', 'street', 'high', 'v'],
    ['消费纠纷', 'Consumer dispute', 'market-regulation', 'community', 'normal', 'v'],
    ['房屋租赁纠纷', 'Rental dispute', 'judicial', 'community', 'normal', 'v'],
    ['征收拆迁纠纷', 'Demolition or resettlement dispute', 'housing', 'district', 'high', 'v'],
    ['医疗纠纷', 'Medical dispute', 'health', 'district', 'high', 'v'],
    ['交通事故纠纷', 'Traffic accident dispute', 'police', 'street', 'normal', 'v'],
    ['装修扰民纠纷', 'Renovation nuisance dispute', 'property', 'grid', 'normal', 'v'],
    ['非法集资涉众纠纷', 'Illegal fund-raising affecting many people', 'police', 'district', 'high', 'v'],
    ['个人极端情绪', 'Person in extreme distress threatening harm', 'police', 'district', 'urgent', 'v'],
  ],
  SERVICE: [
    ['独居老人关爱探访', 'Elderly person living alone needs a visit', 'civil-affairs', 'grid', 'normal', 'v'],
    ['困难群众救助', 'Household in hardship needs relief', 'civil-affairs', 'community', 'normal', 'v'],
    ['残疾人服务需求', 'Service need of a disabled person', 'civil-affairs', 'community', 'long', 'v'],
    ['留守或困境儿童', 'Child left behind or in difficulty', 'civil-affairs', 'community', 'high', 'v'],
    ['就业援助', 'Help finding work', 'human-resources', 'community', 'long', ''],
    ['社保医保代办', 'Social or medical insurance errand', 'human-resources', 'community', 'long', ''],
    ['食品安全问题', 'Food safety concern', 'market-regulation', 'street', 'high', 'pv'],
    ['无证无照经营', 'Business without a licence', 'market-regulation', 'street', 'normal', 'pv'],
    ['价格欺诈', 'Price fraud', 'market-regulation', 'street', 'normal', 'v'],
    ['公共卫生疫情线索', 'Public health or infectious disease concern', 'health', 'district', 'urgent', 'v'],
    ['群众政策咨询', 'Policy question from a resident', 'civil-affairs', 'grid', 'long', ''],
    ['退役军人服务', 'Service for a veteran', 'civil-affairs', 'community', 'long', ''],
  ],
  FACILITY: [
    ['井盖缺失破损', 'Manhole cover missing or broken', 'urban-management', 'street', 'urgent', 'pv'],
    ['路灯损坏', 'Street light out', 'urban-management', 'community', 'normal', 'pv'],
    ['道路破损坑洼', 'Broken road surface', 'urban-management', 'street', 'normal', 'pv'],
    ['供水管道破裂', 'Burst water main', 'water', 'district', 'urgent', 'pv'],
    ['停水停电', 'Water or power cut', 'power-supply', 'street', 'high', 'v'],
    [
      '电力设施隐患',
      'Power facility hazard (fallen line, open cabinet)',
      'power-supply',
      'district',
      'urgent',
      'pv',
    ],
    [
      '电梯故障困人',
      'Lift fault or people trapped in a lift',
      'market-regulation',
      'district',
      'urgent',
      'pv',
    ],
    ['老旧房屋安全隐患', 'Unsafe old housing', 'housing', 'street', 'high', 'pv'],
    ['公共健身器材损坏', 'Public fitness equipment damaged', 'urban-management', 'community', 'long', 'pv'],
    ['下水道堵塞外溢', 'Blocked or overflowing sewer', 'water', 'community', 'high', 'pv'],
    ['社区服务柜故障', 'Community service locker fault', 'property', 'community', 'normal', 'pv'],
  ],
};

function build(): MatterItem[] {
  const items: MatterItem[] = [];
  for (const [category, rows] of Object.entries(ROWS) as Array<[Category, Row[]]>) {
    const [categoryZh, categoryEn] = CATEGORIES[category];
    rows.forEach(([nameZh, nameEn, leadDepartment, tier, limits, flags], i) => {
      items.push({
        code: `${category}-${String(i + 1).padStart(2, '0')}`,
        categoryCode: category,
        categoryZh,
        categoryEn,
        nameZh,
        nameEn,
        leadDepartment,
        tier,
        ...LIMIT_CLASSES[limits],
        photoRequired: flags.includes('p'),
        verificationRequired: flags.includes('v'),
      });
    });
  }
  return items;
}

export const DEFAULT_MATTER_ITEMS: readonly MatterItem[] = build();
