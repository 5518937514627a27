import type { Rng } from '../rng.ts';

/** Lianhu district's nine streets (街道), west to east as the generator lays them out. */
export const STREET_NAMES = [
  '枣园',
  '土门',
  '桃园路',
  '红庙坡',
  '西关',
  '环城西路',
  '北关',
  '青年路',
  '北院门',
] as const;

/** Roads, lanes and places of Lianhu that communities and compounds are named after. */
const PLACES = [
  '大庆路',
  '丰庆路',
  '劳动路',
  '桃园路',
  '西关正街',
  '莲湖路',
  '北大街',
  '西大街',
  '青年路',
  '红庙坡',
  '枣园东路',
  '枣园西路',
  '土门',
  '潘家村',
  '沣惠路',
  '汉城路',
  '星火路',
  '团结东路',
  '玉祥门',
  '西华门',
  '庙后街',
  '大麦市街',
  '洒金桥',
  '北院门',
  '大学习巷',
  '糖坊街',
  '环城西路',
  '工农路',
  '龙首',
  '丰登路',
  '友谊西路',
  '梨园路',
  '西北三路',
  '西二路',
  '西稍门',
  '二府庄',
  '桃园湖',
  '唐延路',
  '梁家庄',
  '永红路',
  '自强西路',
  '劳动北路',
  '红光路',
  '三民村',
  '北关正街',
  '大兴路',
  '习武园',
  '西华门',
  '许士庙街',
  '药王洞',
  '西举院巷',
  '红埠街',
  '报恩寺街',
  '双仁府',
  '桃园南路',
  '北稍门',
  '含光门',
  '西门',
  '光华路',
  '开远门',
] as const;

const DIRECTIONS = ['', '东', '西', '南', '北', '一', '二', '三'] as const;

const OWNERS = [
  '西电',
  '铁一局',
  '秦川',
  '陕汽',
  '西北电力',
  '省建三公司',
  '黄河机械厂',
  '昆仑',
  '红光',
  '西北国棉',
  '电信',
  '邮电',
  '西航',
  '西北设计院',
  '省纺织',
  '市政',
  '交大二附院',
  '军工',
  '水文',
  '地质',
] as const;

const COMPOUND_SUFFIXES = [
  '小区',
  '花园',
  '家园',
  '公寓',
  '家属院',
  '新村',
  '嘉苑',
  '雅居',
  '华庭',
  '北苑',
  '南苑',
  '佳苑',
] as const;

const STATION_SUFFIXES = ['便民服务站', '邻里驿站', '党群服务站', '社区服务中心'] as const;

const ORDINALS = ['二期', '三期', '四期', '东区', '西区', '南区', '北区'] as const;

/** Hands out names that are unique within one generator run. */
export class NameBook {
  private readonly used = new Set<string>();

  constructor(private readonly rng: Rng) {}

  private unique(base: string, suffixes: readonly string[]): string {
    if (!this.used.has(base)) {
      this.used.add(base);
      return base;
    }
    for (const suffix of suffixes) {
      const name = `${base}${suffix}`;
      if (!this.used.has(name)) {
        this.used.add(name);
        return name;
      }
    }
    for (let n = 2; ; n++) {
      const name = `${base}${n}号院`;
      if (!this.used.has(name)) {
        this.used.add(name);
        return name;
      }
    }
  }

  community(): string {
    for (let tries = 0; tries < 50; tries++) {
      const name = `${this.rng.pick(PLACES)}${this.rng.pick(DIRECTIONS)}社区`;
      if (!this.used.has(name)) return this.unique(name, []);
    }
    return this.unique(`${this.rng.pick(PLACES)}社区`, ORDINALS);
  }

  compound(): string {
    const base = this.rng.chance(0.35)
      ? `${this.rng.pick(OWNERS)}${this.rng.pick(['家属院', '生活区', '小区'] as const)}`
      : `${this.rng.pick(PLACES).replace(/(路|街|巷)$/, '')}${this.rng.pick(COMPOUND_SUFFIXES)}`;
    return this.unique(base, ORDINALS);
  }

  station(communityName: string): string {
    return this.unique(`${communityName.replace(/社区$/, '')}${this.rng.pick(STATION_SUFFIXES)}`, ORDINALS);
  }
}
