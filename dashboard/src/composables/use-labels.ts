import { CATALOGUE, CAUSE_LABELS, SEVERITY_LABELS } from '@gridwatch/devices/catalogue';
import type { DeviceKind, Severity } from '@gridwatch/devices/kinds';
import { useI18n } from 'vue-i18n';
import { pick } from '../i18n/index.ts';

/** Catalogue labels (cause, severity, kind) in the current locale. */
export function useLabels() {
  const { locale } = useI18n();
  return {
    cause: (id: string) => pick(CAUSE_LABELS[id], locale.value, id),
    severity: (s: Severity) => pick(SEVERITY_LABELS[s], locale.value, s),
    kind: (k: DeviceKind) => pick(CATALOGUE[k]?.label, locale.value, k),
    metric: (k: DeviceKind, m: string) => pick(CATALOGUE[k]?.metrics[m]?.label, locale.value, m),
    unit: (k: DeviceKind, m: string) => CATALOGUE[k]?.metrics[m]?.unit ?? '',
  };
}
