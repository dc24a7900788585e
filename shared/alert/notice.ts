/**
 * The notice a survey's owners get when a receiver answers 410 and its hook is disabled: which
 * survey, which URL, since when, and how to turn it back on. Plain text, in the survey's language.
 */
import type { Locale } from '../locales.ts';

const texts: Record<Locale, { subject: string; body: string }> = {
  en: {
    subject: 'Webhook disabled for {survey}',
    body:
      'The receiver at {url} answered "410 Gone" at {at}, so npswave stopped posting to it.\n\n' +
      'Nothing is lost: the events it missed are kept as failed deliveries. When the receiver is back, ' +
      'redeliver them (npswave webhooks deliveries --status failed, then npswave webhooks redeliver ID), ' +
      'which turns the hook on again, or give the rule a new URL.\n\n{dashboard}',
  },
  sv: {
    subject: 'Webhook avstängd för {survey}',
    body:
      'Mottagaren på {url} svarade "410 Gone" {at}, så npswave slutade skicka till den.\n\n' +
      'Inget går förlorat: händelserna den missade sparas som misslyckade leveranser. När mottagaren ' +
      'fungerar igen kan du skicka dem på nytt (npswave webhooks deliveries --status failed, sedan ' +
      'npswave webhooks redeliver ID), vilket slår på webhooken igen, eller ge regeln en ny URL.\n\n{dashboard}',
  },
  'zh-CN': {
    subject: '{survey} 的 Webhook 已停用',
    body:
      '{url} 的接收端在 {at} 返回了“410 Gone”，因此 npswave 已停止向其发送。\n\n' +
      '没有任何数据丢失：未送达的事件都保存为失败的投递。接收端恢复后，可重新投递' +
      '（npswave webhooks deliveries --status failed，然后 npswave webhooks redeliver ID），这会重新启用该 Webhook；' +
      '也可以为该规则设置新的 URL。\n\n{dashboard}',
  },
  'zh-TW': {
    subject: '{survey} 的 Webhook 已停用',
    body:
      '{url} 的接收端在 {at} 回傳了「410 Gone」，因此 npswave 已停止向其傳送。\n\n' +
      '沒有任何資料遺失：未送達的事件都保存為失敗的投遞。接收端恢復後，可重新投遞' +
      '（npswave webhooks deliveries --status failed，然後 npswave webhooks redeliver ID），這會重新啟用該 Webhook；' +
      '也可以為該規則設定新的 URL。\n\n{dashboard}',
  },
};

export function hookDisabledNotice(
  locale: Locale,
  values: { survey: string; url: string; at: string; dashboard: string },
): { subject: string; text: string } {
  const t = texts[locale] ?? texts.en;
  const fillIn = (s: string) =>
    s.replace(/\{(\w+)\}/g, (_, k: string) => values[k as keyof typeof values] ?? '');
  // The subject is one line whatever the survey's name holds.
  return { subject: fillIn(t.subject).replace(/[\r\n]+/g, ' '), text: fillIn(t.body) };
}
