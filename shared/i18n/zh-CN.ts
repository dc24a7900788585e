import type { Messages } from './catalogue.ts';

// Simplified Chinese for mainland readers; the NPS question follows the seed article's wording.
export const zhCN = {
  defaultCompany: '我们公司',
  question: {
    nps: '您有多大可能向朋友或同事推荐{company}?',
    csat: '您对{company}的满意度如何?',
    ces: '{company}让我能够轻松地处理我的问题。',
  },
  endLabels: {
    nps: { low: '完全不可能', high: '极有可能' },
    csat: { low: '非常不满意', high: '非常满意' },
    ces: { low: '非常不同意', high: '非常同意' },
  },
  followUp: {
    promoter: '很高兴听到这些!您最喜欢{company}的哪些方面?',
    passive: '谢谢!{company}怎样做才能让您更愿意推荐它?',
    detractor: '很抱歉听到这些。{company}可以在哪些方面做得更好?',
    high: '很高兴听到这些!我们哪些方面做得好?',
    neutral: '谢谢!我们哪些方面本可以做得更好?',
    low: '很抱歉听到这些。哪里出了问题?我们该如何改进?',
  },
  followUpGeneric: '您给出这个评分的主要原因是什么?',
  scoreAria: '{score} 分(满分 {max} 分)',
  commentHint: '选填,最多 {max} 个字符。',
  surveyTitle: '来自{company}的调查',
  submit: '提交',
  update: '更新我的回答',
  changeAnswer: '修改您的回答',
  saved: '您的回答已保存。',
  savedUntil: '您的回答已保存。您可以在 {date} 之前修改。',
  thankYouTitle: '谢谢!',
  thankYouText: '您的反馈将帮助{company}做得更好。',
  yourScore: '您的评分:{score}',
  email: {
    subject: '{company}想请您回答一个简短的问题',
    intro: '我们很想听听您的意见,只需点击一下即可。',
    greeting: '您好:',
    greetingNamed: '{name},您好:',
    reminderSubject: '提醒:{subject}',
    reminderIntro:
      '我们还没有收到您的回复,您的意见对我们非常重要。现在回答下面的问题还来得及,只需点击一个分数即可。',
    textScores: '请打开以下任一链接选择您的答案:',
    footerReason: '您收到这封邮件,是因为{company}希望听取您的反馈。',
    unsubscribeLead: '不想再收到此类调查?',
    unsubscribe: '退订',
  },
  errorCode: '错误 {status}',
  errors: {
    400: { title: '该评分不在范围内', text: '请返回并选择页面上显示的一个分数。' },
    403: {
      title: '无法接受此表单',
      text: '为了您的安全,我们不接受从其他网站提交的表单。请重新打开邮件中的链接。',
    },
    404: { title: '找不到该链接', text: '此链接无效。请检查您打开的是邮件中的完整链接。' },
    410: { title: '本调查已结束', text: '感谢您的关注,本调查已不再接受回答。' },
    413: { title: '您的评论太长了', text: '请缩短到 {max} 个字符以内后重试。' },
    429: { title: '请求过于频繁', text: '请稍等片刻后重试。' },
    500: { title: '出了点问题', text: '抱歉,我们暂时无法处理您的请求。请几分钟后重试。' },
  },
  unsubscribe: {
    title: '退订',
    text: '点击下面的按钮,即可不再收到来自{company}的调查。',
    button: '退订',
  },
  unsubscribed: {
    title: '您已退订',
    text: '您将不会再收到来自{company}的调查。',
  },
} satisfies Messages;
