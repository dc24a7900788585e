/**
 * What the demo's customers write, in their own language. Texts are keyed by the first wave they fit
 * (0-based): a wave takes the unused texts of its own theme first, so the comment feed tells the
 * year's story: onboarding and support complaints, a price rise in the second wave, the new
 * onboarding and faster support from the fourth.
 */
import type { DemoLocale } from './people.ts';

// wave takes the unused texts of its own theme first, so the comment feed tells the year's story:
// onboarding and support complaints, a price rise in the second wave, the new onboarding and faster
// support from the fourth.

export type NpsSegment = 'promoter' | 'passive' | 'detractor';
export type CsatSegment = 'low' | 'neutral' | 'high';
export type Phased = Record<number, string[]>;

export const npsComments: Record<DemoLocale, Record<NpsSegment, Phased>> = {
  en: {
    detractor: {
      0: [
        'Onboarding was confusing. It took us a month to get the first survey out.',
        'Support takes days to answer. We lost a whole week waiting on a simple export question.',
        'The CSV import kept rejecting our file and the error messages did not say why.',
        'Nobody followed up on the bug we reported.',
        'The reports cannot be filtered by region, which is the one thing my boss asks for.',
        'Great idea, but the setup still feels built for engineers, not for us.',
      ],
      1: [
        'The price went up 30% and nothing in the product changed. Hard to justify to my finance team.',
        'Too expensive for a small team like ours. We are looking at alternatives.',
        'Billing charged us twice this quarter and it took three emails to get a refund.',
        'Renewal price is too high for what we use.',
      ],
    },
    passive: {
      0: [
        'Does the job. A Slack integration would let the team see answers without logging in.',
        'Solid product, but please add scheduled reports to my inbox.',
        'Fine overall. The dashboard could load faster.',
        'It works, but I miss being able to tag responses.',
        'Okay. Please let us export charts as images for our board deck.',
      ],
      3: [
        'The new onboarding helped. Still missing SSO for our IT department.',
        'Good value since the last update, though the mobile view needs work.',
        'Decent. I would recommend it if it had a Salesforce sync.',
      ],
    },
    promoter: {
      0: [
        'Easy to set up and our customers actually answer. Love it.',
        'Support helped us within an hour. Great team, thank you!',
        'Simple, fast, and the emails look great in every language we use.',
        'We finally know what our customers think. Recommended you to two other companies already.',
        'Clean interface, no fuss. It just works.',
      ],
      3: [
        'The new onboarding checklist got our whole team going in an afternoon.',
        'Support is so much faster now: my question was answered in 20 minutes.',
        'Best survey tool we have used, and the price is fair for what you get.',
        'The trend chart made our quarterly review a lot easier.',
        'Our response rate doubled after switching. Thank you!',
        'Reliable and easy. The reminders alone are worth it.',
        'Love the new reports. Exactly what we needed.',
        'Everything runs smoothly now, and support is quick and friendly.',
      ],
    },
  },
  sv: {
    detractor: {
      0: [
        'Introduktionen var rörig, det tog oss flera veckor att komma igång.',
        'Supporten svarar alldeles för långsamt, vi väntade en vecka på hjälp.',
        'Importen av kontakter misslyckades hela tiden, och felmeddelandena går inte att förstå.',
        'Ingen återkom om felet vi rapporterade.',
        'Rapporterna går inte att filtrera per region, och det är just det vi behöver.',
      ],
      1: [
        'Priset har gått upp kraftigt utan att något blivit bättre. Svårt att motivera för ekonomi.',
        'För dyrt för ett litet företag som vårt. Vi tittar på alternativ.',
      ],
    },
    passive: {
      0: [
        'Fungerar bra, men jag saknar en koppling till Slack så att teamet ser svaren.',
        'Helt okej. Det vore bra att kunna schemalägga rapporter till e-post.',
        'Bra produkt, men instrumentpanelen laddar lite långsamt.',
        'Gör vad den ska. Skulle gärna kunna tagga svar.',
      ],
      3: [
        'Det nya introduktionsflödet hjälpte. Vi saknar fortfarande inloggning via SSO.',
        'Prisvärt numera, men mobilvyn behöver förbättras.',
      ],
    },
    promoter: {
      0: [
        'Enkelt att komma igång och kunderna svarar faktiskt. Toppen!',
        'Supporten hjälpte oss inom en timme. Mycket nöjd.',
        'Snyggt, snabbt och fungerar lika bra på svenska som på engelska.',
        'Äntligen vet vi vad kunderna tycker. Har redan rekommenderat er till två andra företag.',
      ],
      3: [
        'Den nya introduktionen gjorde att hela teamet var igång på en eftermiddag.',
        'Supporten är mycket snabbare nu – jag fick svar på tjugo minuter.',
        'Trenddiagrammet gör vår kvartalsgenomgång så mycket enklare.',
        'Påminnelserna gav oss dubbelt så många svar. Tack!',
        'Rapporterna är precis vad ledningsgruppen ville ha. Tack för en riktigt bra uppdatering!',
        'Allt fungerar smidigt nu, och supporten är både snabb och trevlig.',
      ],
    },
  },
  'zh-CN': {
    detractor: {
      0: [
        '入门引导很混乱，我们花了一个月才发出第一份问卷。',
        '客服回复太慢了，一个简单的问题我们等了一个星期。',
        '导入联系人总是失败，错误提示也看不懂。',
        '我们报告的问题到现在都没有人跟进。',
        '报表不能按地区筛选，这恰恰是我们最需要的。',
      ],
      1: [
        '价格涨了这么多，功能却没什么变化，很难向财务解释。',
        '对我们这样的小团队来说太贵了，正在考虑其他产品。',
      ],
    },
    passive: {
      0: [
        '整体还可以，希望能和企业微信集成。',
        '功能够用，但仪表盘加载有点慢。',
        '希望报表可以定时发送到邮箱。',
        '能用，但希望可以给回复加标签。',
      ],
      3: ['新的入门引导有帮助，不过我们还需要单点登录。', '现在性价比不错，但手机端还需要改进。'],
    },
    promoter: {
      0: [
        '设置简单，客户也愿意回答，非常好用。',
        '客服一个小时内就帮我们解决了问题，很专业。',
        '邮件在中文和英文下都显示得很好。',
        '终于知道客户真正的想法了，已经推荐给两家合作伙伴。',
      ],
      3: [
        '新的入门引导让整个团队一个下午就上手了。',
        '现在客服响应快多了，二十分钟就回复了。',
        '趋势图让我们的季度总结轻松多了。',
        '提醒功能让回复率翻了一倍，谢谢你们！',
        '新版报表正是管理层想要的，这次更新非常棒！',
        '现在一切都很顺畅，客服又快又专业。',
      ],
    },
  },
  'zh-TW': {
    detractor: {
      0: [
        '入門引導很混亂，我們花了一個月才發出第一份問卷。',
        '客服回覆太慢了，一個簡單的問題我們等了一個星期。',
        '匯入聯絡人一直失敗，錯誤訊息也看不懂。',
        '我們回報的問題到現在都沒有人跟進。',
        '報表不能依地區篩選，這正是我們最需要的。',
      ],
      1: [
        '價格漲了這麼多，功能卻沒什麼變化，很難向財務解釋。',
        '對我們這樣的小團隊來說太貴了，正在考慮其他產品。',
      ],
    },
    passive: {
      0: [
        '整體還可以，希望能和 LINE 整合。',
        '功能夠用，但儀表板載入有點慢。',
        '希望報表可以定期寄到信箱。',
        '能用，但希望可以幫回覆加標籤。',
      ],
      3: ['新的入門引導有幫助，不過我們還需要單一登入。', '現在 CP 值不錯，但手機版還需要改進。'],
    },
    promoter: {
      0: [
        '設定簡單，客戶也願意回答，非常好用。',
        '客服一個小時內就幫我們解決了問題，很專業。',
        '郵件在中文和英文下都顯示得很好。',
        '終於知道客戶真正的想法了，已經推薦給兩家合作夥伴。',
      ],
      3: [
        '新的入門引導讓整個團隊一個下午就上手了。',
        '現在客服回應快多了，二十分鐘就回覆了。',
        '趨勢圖讓我們的季度報告輕鬆多了。',
        '提醒功能讓回覆率翻了一倍，謝謝你們！',
        '新版報表正是管理層想要的，這次更新非常棒！',
        '現在一切都很順暢，客服又快又專業。',
      ],
    },
  },
};

/** The next unused text for a wave: from its own theme first, then from earlier ones. */
export function takeComment(texts: Phased, wave: number): string | undefined {
  const phases = Object.keys(texts)
    .map(Number)
    .filter((phase) => phase <= wave)
    .sort((a, b) => b - a);
  for (const phase of phases) {
    const text = texts[phase]?.shift();
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Answers changed a day or two later: [first comment, comment of the edit]. */
export const editedComments: Record<DemoLocale, [string, string][]> = {
  en: [
    [
      'Still waiting for support to get back to me about our invoice. Not impressed so far.',
      'Update: support called me back and sorted out the invoice the same day. Raising my score.',
    ],
    [
      'The new onboarding is better, but I have not tried the reports yet.',
      'Changed my mind after a week with the new reports: exactly what our team needed.',
    ],
  ],
  sv: [
    [
      'Väntar fortfarande på svar från supporten om vår faktura. Inte imponerad hittills.',
      'Uppdatering: supporten ringde upp och löste fakturan samma dag. Jag höjer mitt betyg.',
    ],
    [
      'Den nya introduktionen är bättre, men jag har inte hunnit testa rapporterna än.',
      'Har nu använt de nya rapporterna i en vecka – precis vad vårt team behövde.',
    ],
  ],
  'zh-CN': [
    [
      '关于发票的问题，客服到现在还没有回复我们，目前不太满意。',
      '更新一下：客服当天就回电话，把发票的问题解决了。我提高了评分。',
    ],
    [
      '新的入门引导好多了，不过报表功能我还没试过。',
      '用了一周新的报表功能，这正是我们团队需要的。改成满分。',
    ],
  ],
  'zh-TW': [
    [
      '關於發票的問題，客服到現在還沒有回覆我們，目前不太滿意。',
      '更新一下：客服當天就回電話，把發票的問題解決了。我提高了評分。',
    ],
    [
      '新的入門引導好多了，不過報表功能我還沒試過。',
      '用了一週新的報表功能，這正是我們團隊需要的。改成滿分。',
    ],
  ],
};

export const csatComments: Record<DemoLocale, Record<CsatSegment, string[]>> = {
  en: {
    low: ['Took four days to get an answer.', 'The first reply did not even address my question.'],
    neutral: ['Solved in the end, but I had to explain it twice.'],
    high: [
      'Quick and friendly, problem solved!',
      'Anna fixed it in ten minutes. Thanks!',
      'Clear answer with screenshots, very helpful.',
    ],
  },
  sv: {
    low: ['Det tog fyra dagar att få svar.'],
    neutral: ['Löst till slut, men jag fick förklara två gånger.'],
    high: [
      'Snabbt och vänligt bemötande, problemet löst!',
      'Tydligt svar med skärmbilder, mycket hjälpsamt.',
    ],
  },
  'zh-CN': {
    low: ['等了四天才收到回复，问题还没解决。'],
    neutral: ['最后解决了，但我解释了两遍。'],
    high: ['回复很快，态度也好，问题解决了！', '回答很清楚，还附了截图，非常有帮助。'],
  },
  'zh-TW': {
    low: ['等了四天才收到回覆，問題還沒解決。'],
    neutral: ['最後解決了，但我解釋了兩次。'],
    high: ['回覆很快，態度也好，問題解決了！', '回答很清楚，還附了截圖，非常有幫助。'],
  },
};
