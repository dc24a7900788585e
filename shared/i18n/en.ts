import type { Messages } from './catalogue.ts';

export const en = {
  defaultCompany: 'our company',
  question: {
    nps: 'How likely is it that you would recommend {company} to a friend or colleague?',
    csat: 'How satisfied are you with {company}?',
    ces: '{company} made it easy for me to handle my issue.',
  },
  endLabels: {
    nps: { low: 'Not at all likely', high: 'Extremely likely' },
    csat: { low: 'Very dissatisfied', high: 'Very satisfied' },
    ces: { low: 'Strongly disagree', high: 'Strongly agree' },
  },
  followUp: {
    promoter: 'Great to hear! What do you like most about {company}?',
    passive: 'Thank you. What would make you more likely to recommend {company}?',
    detractor: 'We are sorry to hear that. What could {company} do better?',
    high: 'Great to hear! What did we do well?',
    neutral: 'Thank you. What could we have done better?',
    low: 'We are sorry to hear that. What went wrong, and how can we improve?',
  },
  followUpGeneric: 'What is the main reason for your answer?',
  scoreAria: '{score} out of {max}',
  commentHint: 'Optional. Up to {max} characters.',
  surveyTitle: 'Survey from {company}',
  submit: 'Send',
  update: 'Update my answer',
  changeAnswer: 'Change your answer',
  saved: 'Your answer has been saved.',
  savedUntil: 'Your answer has been saved. You can change it until {date}.',
  thankYouTitle: 'Thank you!',
  thankYouText: 'Your feedback helps {company} get better.',
  yourScore: 'Your answer: {score}',
  email: {
    subject: 'A quick question from {company}',
    intro: 'We would love to hear what you think. It only takes one click.',
    greeting: 'Hi,',
    greetingNamed: 'Hi {name},',
    reminderSubject: 'Reminder: {subject}',
    reminderIntro:
      'We have not heard from you yet, and your answer matters to us. There is still time to answer the question below: just click a score.',
    textScores: 'Choose your answer by opening one of these links:',
    footerReason: 'You received this email because {company} would like your feedback.',
    unsubscribeLead: 'Rather not get these surveys?',
    unsubscribe: 'Unsubscribe',
  },
  errorCode: 'Error {status}',
  errors: {
    400: {
      title: 'That score is not on the scale',
      text: 'Please go back and choose one of the scores shown.',
    },
    403: {
      title: 'This form could not be accepted',
      text: 'For your security, forms sent from another website are refused. Please open the link in your email again.',
    },
    404: {
      title: 'Link not found',
      text: 'This link is not valid. Please check that you opened the whole link from your email.',
    },
    410: {
      title: 'This survey has closed',
      text: 'Thank you for your interest. The survey no longer accepts answers.',
    },
    413: {
      title: 'Your comment is too long',
      text: 'Please shorten it to {max} characters and try again.',
    },
    429: {
      title: 'Too many requests',
      text: 'Please wait a moment and try again.',
    },
    500: {
      title: 'Something went wrong',
      text: 'Sorry, we could not handle your request. Please try again in a few minutes.',
    },
  },
  unsubscribe: {
    title: 'Unsubscribe',
    text: 'Press the button to stop receiving feedback surveys from {company}.',
    button: 'Unsubscribe',
  },
  unsubscribed: {
    title: 'You are unsubscribed',
    text: 'You will no longer receive feedback surveys from {company}.',
  },
} satisfies Messages;
