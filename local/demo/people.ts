/** The demo's customers: who they are, where, in which language, on which plan. */
export type DemoLocale = 'en' | 'sv' | 'zh-CN' | 'zh-TW';
export type Plan = 'free' | 'pro' | 'enterprise';

export interface Person {
  name: string;
  email: string;
  locale: DemoLocale;
  timezone: string;
  region: 'NA' | 'EU' | 'APAC';
  plan: Plan;
  /** Added as a new customer 40 days before this wave (index); absent: there from the start. */
  joinsBefore?: number;
  /** Their company's mail scanner opens every link of every email on delivery. */
  scanned?: boolean;
}

export const p = (
  name: string,
  email: string,
  locale: DemoLocale,
  timezone: string,
  region: Person['region'],
  plan: Plan,
  extra: Pick<Person, 'joinsBefore' | 'scanned'> = {},
): Person => ({ name, email, locale, timezone, region, plan, ...extra });

export const people: Person[] = [
  p('Alice Johnson', 'alice.johnson@example.com', 'en', 'America/New_York', 'NA', 'pro'),
  p('Bob Smith', 'bob.smith@example.com', 'en', 'America/Chicago', 'NA', 'free'),
  p('Carol White', 'carol.white@example.com', 'en', 'America/Los_Angeles', 'NA', 'enterprise'),
  p('David Brown', 'david.brown@example.com', 'en', 'Europe/London', 'EU', 'pro'),
  p('Emma Wilson', 'emma.wilson@example.com', 'en', 'Europe/Dublin', 'EU', 'free'),
  p('Frank Miller', 'frank.miller@example.com', 'en', 'Australia/Sydney', 'APAC', 'pro'),
  p('Grace Lee', 'grace.lee@example.com', 'en', 'America/Toronto', 'NA', 'enterprise'),
  p('Isabel García', 'isabel.garcia@example.com', 'en', 'Europe/Madrid', 'EU', 'pro'),
  p('Jack Thompson', 'jack.thompson@example.com', 'en', 'America/Denver', 'NA', 'free'),
  p('Kenji Tanaka', 'kenji.tanaka@example.com', 'en', 'Asia/Tokyo', 'APAC', 'enterprise'),
  p('Mia Schneider', 'mia.schneider@globex.example.com', 'en', 'Europe/Berlin', 'EU', 'enterprise', {
    scanned: true,
  }),
  p('Noah Patel', 'noah.patel@globex.example.com', 'en', 'Europe/London', 'EU', 'enterprise', {
    scanned: true,
  }),
  // SES's mailbox simulator: this address bounces, as a customer's old mailbox would.
  p('Oliver Grant', 'bounce+oliver.grant@simulator.amazonses.com', 'en', 'Europe/London', 'EU', 'free'),
  p('Astrid Lindqvist', 'astrid.lindqvist@example.com', 'sv', 'Europe/Stockholm', 'EU', 'pro'),
  p('Björn Andersson', 'bjorn.andersson@example.com', 'sv', 'Europe/Stockholm', 'EU', 'enterprise'),
  p('Karin Nilsson', 'karin.nilsson@example.com', 'sv', 'Europe/Stockholm', 'EU', 'free'),
  p('Lars Eriksson', 'lars.eriksson@example.com', 'sv', 'Europe/Stockholm', 'EU', 'pro'),
  p('Sofia Johansson', 'sofia.johansson@example.com', 'sv', 'Europe/Helsinki', 'EU', 'pro'),
  p('Erik Lundgren', 'erik.lundgren@example.com', 'sv', 'Europe/Stockholm', 'EU', 'free'),
  p('Maja Holm', 'maja.holm@example.com', 'sv', 'Europe/Stockholm', 'EU', 'enterprise'),
  p('Johan Berg', 'johan.berg@example.com', 'sv', 'Europe/Stockholm', 'EU', 'pro'),
  p('Elin Sjöberg', 'elin.sjoberg@example.com', 'sv', 'Europe/Stockholm', 'EU', 'pro'),
  p('王伟', 'wang.wei@example.com', 'zh-CN', 'Asia/Shanghai', 'APAC', 'pro'),
  p('李娜', 'li.na@example.com', 'zh-CN', 'Asia/Shanghai', 'APAC', 'enterprise'),
  p('张敏', 'zhang.min@example.com', 'zh-CN', 'Asia/Shanghai', 'APAC', 'free'),
  p('刘洋', 'liu.yang@example.com', 'zh-CN', 'Asia/Singapore', 'APAC', 'pro'),
  p('陈静', 'chen.jing@example.com', 'zh-CN', 'Asia/Shanghai', 'APAC', 'pro'),
  p('杨帆', 'yang.fan@example.com', 'zh-CN', 'Asia/Shanghai', 'APAC', 'enterprise'),
  p('赵磊', 'zhao.lei@example.com', 'zh-CN', 'Asia/Shanghai', 'APAC', 'free'),
  p('黄丽', 'huang.li@example.com', 'zh-CN', 'Asia/Shanghai', 'APAC', 'pro'),
  p('林志明', 'lin.chihming@example.com', 'zh-TW', 'Asia/Taipei', 'APAC', 'pro'),
  p('黃美玲', 'huang.meiling@example.com', 'zh-TW', 'Asia/Taipei', 'APAC', 'enterprise'),
  p('陳建宏', 'chen.chienhung@example.com', 'zh-TW', 'Asia/Taipei', 'APAC', 'free'),
  p('吳淑芬', 'wu.shufen@example.com', 'zh-TW', 'Asia/Hong_Kong', 'APAC', 'pro'),
  p('張家豪', 'chang.chiahao@example.com', 'zh-TW', 'Asia/Taipei', 'APAC', 'pro'),
  p('李怡君', 'lee.yichun@example.com', 'zh-TW', 'Asia/Taipei', 'APAC', 'enterprise'),
  p('王雅婷', 'wang.yating@example.com', 'zh-TW', 'Asia/Taipei', 'APAC', 'free'),
  p('蔡宗翰', 'tsai.tsunghan@example.com', 'zh-TW', 'Asia/Taipei', 'APAC', 'pro'),
  // New customers before the third wave; one of them marks the survey email as spam.
  p('Ryan Cole', 'complaint+ryan.cole@simulator.amazonses.com', 'en', 'America/Chicago', 'NA', 'free', {
    joinsBefore: 2,
  }),
  p('Hannah Scott', 'hannah.scott@example.com', 'en', 'America/Vancouver', 'NA', 'pro', { joinsBefore: 2 }),
  p('Hanna Ek', 'hanna.ek@example.com', 'sv', 'Europe/Stockholm', 'EU', 'pro', { joinsBefore: 2 }),
  p('孙悦', 'sun.yue@example.com', 'zh-CN', 'Asia/Shanghai', 'APAC', 'enterprise', { joinsBefore: 2 }),
];

export const isSimulated = (email: string) => email.endsWith('@simulator.amazonses.com');
