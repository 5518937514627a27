import type { Label } from '@gridwatch/devices/catalogue';
import { createI18n } from 'vue-i18n';
import en from './en.ts';
import zhCN from './zh-CN.ts';

export type Locale = 'zh-CN' | 'en';
const LOCALE_KEY = 'gw.locale';

export function createAppI18n() {
  const saved = localStorage.getItem(LOCALE_KEY);
  return createI18n({
    legacy: false,
    locale: saved === 'en' ? 'en' : 'zh-CN',
    fallbackLocale: 'zh-CN',
    messages: { 'zh-CN': zhCN, en },
  });
}

export function saveLocale(locale: Locale) {
  localStorage.setItem(LOCALE_KEY, locale);
  document.documentElement.lang = locale;
}

/** Picks the catalogue label in the current locale. */
export function pick(label: Label | undefined, locale: string, fallback = ''): string {
  if (!label) return fallback;
  return locale === 'en' ? label.en : label['zh-CN'];
}
