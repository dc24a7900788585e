import type { Messages } from './catalogue.ts';

// Traditional Chinese with Taiwan usage (問卷, 字元, 送出); the seed article uses the same terms.
export const zhTW = {
  defaultCompany: '我們公司',
  question: {
    nps: '您有多大可能向朋友或同事推薦{company}?',
    csat: '您對{company}的滿意度如何?',
    ces: '{company}讓我能夠輕鬆地處理我的問題。',
  },
  endLabels: {
    nps: { low: '完全不可能', high: '極有可能' },
    csat: { low: '非常不滿意', high: '非常滿意' },
    ces: { low: '非常不同意', high: '非常同意' },
  },
  followUp: {
    promoter: '很高興聽到這些!您最喜歡{company}的哪些方面?',
    passive: '謝謝!{company}怎麼做才能讓您更願意推薦它?',
    detractor: '很抱歉聽到這些。{company}可以在哪些方面做得更好?',
    high: '很高興聽到這些!我們哪些方面做得好?',
    neutral: '謝謝!我們哪些方面原本可以做得更好?',
    low: '很抱歉聽到這些。哪裡出了問題?我們該如何改進?',
  },
  followUpGeneric: '您給出這個評分的主要原因是什麼?',
  scoreAria: '{score} 分(滿分 {max} 分)',
  commentHint: '選填,最多 {max} 個字元。',
  surveyTitle: '來自{company}的問卷',
  submit: '送出',
  update: '更新我的回覆',
  changeAnswer: '修改您的回覆',
  saved: '您的回覆已儲存。',
  savedUntil: '您的回覆已儲存。您可以在 {date} 之前修改。',
  thankYouTitle: '謝謝!',
  thankYouText: '您的意見回饋將幫助{company}做得更好。',
  yourScore: '您的評分:{score}',
  email: {
    subject: '{company}想請您回答一個簡短的問題',
    intro: '我們很想聽聽您的意見,只需點一下即可。',
    greeting: '您好:',
    greetingNamed: '{name},您好:',
    reminderSubject: '提醒:{subject}',
    reminderIntro:
      '我們還沒有收到您的回覆,您的意見對我們非常重要。現在回答下面的問題還來得及,只需點選一個分數即可。',
    textScores: '請開啟以下任一連結選擇您的答案:',
    footerReason: '您收到這封郵件,是因為{company}希望聽取您的意見。',
    unsubscribeLead: '不想再收到這類問卷?',
    unsubscribe: '取消訂閱',
  },
  errorCode: '錯誤 {status}',
  errors: {
    400: { title: '這個評分不在範圍內', text: '請返回並選擇頁面上顯示的其中一個分數。' },
    403: {
      title: '無法接受此表單',
      text: '為了您的安全,我們不接受從其他網站送出的表單。請重新開啟郵件中的連結。',
    },
    404: { title: '找不到此連結', text: '此連結無效。請確認您開啟的是郵件中的完整連結。' },
    410: { title: '本問卷已結束', text: '感謝您的關注,本問卷已不再接受回覆。' },
    413: { title: '您的意見太長了', text: '請縮短至 {max} 個字元以內後再試一次。' },
    429: { title: '要求過於頻繁', text: '請稍候片刻再試一次。' },
    500: { title: '發生錯誤', text: '很抱歉,我們暫時無法處理您的要求。請幾分鐘後再試一次。' },
  },
  unsubscribe: {
    title: '取消訂閱',
    text: '按下方的按鈕,即可不再收到來自{company}的問卷。',
    button: '取消訂閱',
  },
  unsubscribed: {
    title: '您已取消訂閱',
    text: '您將不會再收到來自{company}的問卷。',
  },
} satisfies Messages;
