/**
 * Demo data for a first start on an empty data folder, made through the admin HTTP API exactly as a
 * user would: some contacts in four locales, the survey "Quarterly NPS" for Acme, published, and a
 * first wave on its way to the SES outbox.
 */
import type { Log } from './log.ts';

interface DemoContact {
  email: string;
  name: string;
  locale: string;
  timezone: string;
  customerSince: string;
  properties: { plan: string; region: string };
}

const people: [name: string, locale: string, timezone: string, region: string][] = [
  ['Alice Johnson', 'en', 'America/New_York', 'NA'],
  ['Bob Smith', 'en', 'America/Chicago', 'NA'],
  ['Carol White', 'en', 'America/Los_Angeles', 'NA'],
  ['David Brown', 'en', 'Europe/London', 'EU'],
  ['Emma Wilson', 'en', 'Europe/Dublin', 'EU'],
  ['Frank Miller', 'en', 'Australia/Sydney', 'APAC'],
  ['Grace Lee', 'en', 'America/Toronto', 'NA'],
  ['Henry Davis', 'en', 'Europe/London', 'EU'],
  ['Astrid Lindqvist', 'sv', 'Europe/Stockholm', 'EU'],
  ['Björn Andersson', 'sv', 'Europe/Stockholm', 'EU'],
  ['Karin Nilsson', 'sv', 'Europe/Stockholm', 'EU'],
  ['Lars Eriksson', 'sv', 'Europe/Stockholm', 'EU'],
  ['Sofia Johansson', 'sv', 'Europe/Helsinki', 'EU'],
  ['王伟', 'zh-CN', 'Asia/Shanghai', 'APAC'],
  ['李娜', 'zh-CN', 'Asia/Shanghai', 'APAC'],
  ['张敏', 'zh-CN', 'Asia/Shanghai', 'APAC'],
  ['刘洋', 'zh-CN', 'Asia/Singapore', 'APAC'],
  ['陈静', 'zh-CN', 'Asia/Shanghai', 'APAC'],
  ['林志明', 'zh-TW', 'Asia/Taipei', 'APAC'],
  ['黃美玲', 'zh-TW', 'Asia/Taipei', 'APAC'],
  ['陳建宏', 'zh-TW', 'Asia/Taipei', 'APAC'],
  ['吳淑芬', 'zh-TW', 'Asia/Hong_Kong', 'APAC'],
  ['Isabel García', 'en', 'Europe/Madrid', 'EU'],
  ['Jack Thompson', 'en', 'America/Denver', 'NA'],
  ['Kenji Tanaka', 'en', 'Asia/Tokyo', 'APAC'],
];

const plans = ['free', 'pro', 'pro', 'enterprise'];
const ascii = (name: string, index: number) =>
  /^[\x20-\x7e]+$/.test(name) ? name.toLowerCase().replace(/[^a-z]+/g, '.') : `customer${index + 1}`;

export function demoContacts(today: Date): DemoContact[] {
  return people.map(([name, locale, timezone, region], i) => {
    // Customers since 10 to 730 days ago, so audience rules on customerSince have something to pick.
    const since = new Date(today.getTime() - (10 + ((i * 97) % 720)) * 86_400_000);
    return {
      email: `${ascii(name, i)}@example.com`,
      name,
      locale,
      timezone,
      customerSince: since.toISOString().slice(0, 10),
      properties: { plan: plans[i % plans.length] ?? 'pro', region },
    };
  });
}

async function call(
  url: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
  return text === '' ? undefined : JSON.parse(text);
}

export interface DemoTarget {
  url: string;
  sesUrl: string;
  adminKey: string;
}

/** Seeds the demo; prints where to look, or one warning line if a step fails (the stack keeps running). */
export async function seedDemo(stack: DemoTarget, print: Log, warn: Log): Promise<boolean> {
  let step = 'adding contacts';
  try {
    const contacts = demoContacts(new Date());
    await call(stack.url, stack.adminKey, 'POST', '/api/contacts', { contacts });
    step = 'creating the survey';
    const survey = (await call(stack.url, stack.adminKey, 'POST', '/api/surveys', {
      kind: 'nps',
      name: 'Quarterly NPS',
      companyName: 'Acme',
      reportBy: ['plan', 'region'],
    })) as { id?: unknown };
    if (typeof survey?.id !== 'string') throw new Error('the new survey has no id');
    step = 'publishing the survey';
    await call(stack.url, stack.adminKey, 'POST', `/api/surveys/${encodeURIComponent(survey.id)}/publish`);
    step = 'starting a wave';
    const wave = (await call(
      stack.url,
      stack.adminKey,
      'POST',
      `/api/surveys/${encodeURIComponent(survey.id)}/waves`,
      {},
    )) as {
      waveId?: unknown;
    };
    print(
      `demo: ${contacts.length} contacts, survey "Quarterly NPS" (${survey.id}) published, wave ${String(wave?.waveId)} sending`,
    );
    print(`demo: open the outbox ${stack.sesUrl}/ and click a score in an email,`);
    print(`demo: then watch the score on the dashboard ${stack.url}/admin`);
    return true;
  } catch (err) {
    warn(
      `npswave: demo seeding stopped while ${step} (${err instanceof Error ? err.message : String(err)}); the stack keeps running`,
    );
    return false;
  }
}
