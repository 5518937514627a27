/** Time formatting in the centre's time zone, whatever the browser's own zone is. */
const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, locale: string, withDate: boolean, seconds = true): Intl.DateTimeFormat {
  const key = `${timeZone}|${locale}|${withDate}|${seconds}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone,
      hour12: false,
      hour: '2-digit',
      minute: '2-digit',
      ...(seconds ? { second: '2-digit' } : {}),
      ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
    });
    cache.set(key, f);
  }
  return f;
}

export function formatTime(
  iso: string | number | Date | null | undefined,
  timeZone: string,
  locale = 'zh-CN',
): string {
  if (iso === null || iso === undefined) return '—';
  return formatter(timeZone, locale, false).format(new Date(iso));
}

export function formatDateTime(
  iso: string | number | Date | null | undefined,
  timeZone: string,
  locale = 'zh-CN',
): string {
  if (iso === null || iso === undefined) return '—';
  return formatter(timeZone, locale, true).format(new Date(iso));
}

export function formatShort(iso: string | number | Date, timeZone: string, locale = 'zh-CN'): string {
  return formatter(timeZone, locale, false, false).format(new Date(iso));
}

export function formatDate(date: Date, timeZone: string, locale = 'zh-CN'): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'long',
  }).format(date);
}

export function percent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return `${(value * 100).toFixed(digits)}%`;
}
