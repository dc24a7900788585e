/** The dashboard's catalogue for each supported locale. */
import type { Locale } from '../../locales.ts';
import { type DashboardMessages, dashboardEn } from './en.ts';
import { dashboardSv } from './sv.ts';
import { dashboardZhCN } from './zh-CN.ts';
import { dashboardZhTW } from './zh-TW.ts';

// A Record over Locale: a new locale does not compile until the dashboard speaks it too.
const catalogues: Record<Locale, DashboardMessages> = {
  en: dashboardEn,
  sv: dashboardSv,
  'zh-CN': dashboardZhCN,
  'zh-TW': dashboardZhTW,
};

export const dashboardMessages = (locale: Locale): DashboardMessages => catalogues[locale];
