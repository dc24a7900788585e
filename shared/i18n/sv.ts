import type { Messages } from './catalogue.ts';

// The NPS question follows the wording in the Swedish seed articles.
export const sv = {
  defaultCompany: 'vårt företag',
  question: {
    nps: 'Hur troligt är det att du skulle rekommendera {company} till en vän eller kollega?',
    csat: 'Hur nöjd är du med {company}?',
    ces: '{company} gjorde det enkelt för mig att hantera mitt ärende.',
  },
  endLabels: {
    nps: { low: 'Inte alls troligt', high: 'Extremt troligt' },
    csat: { low: 'Mycket missnöjd', high: 'Mycket nöjd' },
    ces: { low: 'Instämmer inte alls', high: 'Instämmer helt' },
  },
  followUp: {
    promoter: 'Vad roligt att höra! Vad uppskattar du mest med {company}?',
    passive: 'Tack! Vad skulle göra att du hellre rekommenderade {company}?',
    detractor: 'Vad tråkigt att höra. Vad kan {company} göra bättre?',
    high: 'Vad roligt att höra! Vad gjorde vi bra?',
    neutral: 'Tack! Vad kunde vi ha gjort bättre?',
    low: 'Vad tråkigt att höra. Vad gick fel, och hur kan vi bli bättre?',
  },
  followUpGeneric: 'Vad är den främsta anledningen till ditt svar?',
  scoreAria: '{score} av {max}',
  commentHint: 'Frivilligt. Högst {max} tecken.',
  surveyTitle: 'Enkät från {company}',
  submit: 'Skicka',
  update: 'Uppdatera mitt svar',
  changeAnswer: 'Ändra ditt svar',
  saved: 'Ditt svar har sparats.',
  savedUntil: 'Ditt svar har sparats. Du kan ändra det fram till {date}.',
  thankYouTitle: 'Tack!',
  thankYouText: 'Din återkoppling hjälper {company} att bli bättre.',
  yourScore: 'Ditt svar: {score}',
  email: {
    subject: 'En snabb fråga från {company}',
    intro: 'Vi vill gärna höra vad du tycker. Det tar bara ett klick.',
    greeting: 'Hej!',
    greetingNamed: 'Hej {name}!',
    reminderSubject: 'Påminnelse: {subject}',
    reminderIntro:
      'Vi har inte hört från dig ännu, och ditt svar är viktigt för oss. Du hinner fortfarande svara på frågan nedan – klicka bara på ett betyg.',
    textScores: 'Välj ditt svar genom att öppna en av länkarna:',
    footerReason: 'Du får det här mejlet eftersom {company} vill ha din återkoppling.',
    unsubscribeLead: 'Vill du inte få fler enkäter?',
    unsubscribe: 'Avregistrera dig',
  },
  errorCode: 'Fel {status}',
  errors: {
    400: {
      title: 'Betyget finns inte på skalan',
      text: 'Gå tillbaka och välj ett av betygen som visas.',
    },
    403: {
      title: 'Formuläret kunde inte tas emot',
      text: 'Av säkerhetsskäl tar vi inte emot formulär som skickas från en annan webbplats. Öppna länken i ditt mejl igen.',
    },
    404: {
      title: 'Länken hittades inte',
      text: 'Länken är ogiltig. Kontrollera att du har öppnat hela länken från ditt mejl.',
    },
    410: {
      title: 'Enkäten har stängt',
      text: 'Tack för ditt intresse. Enkäten tar inte längre emot svar.',
    },
    413: {
      title: 'Din kommentar är för lång',
      text: 'Korta den till högst {max} tecken och försök igen.',
    },
    429: {
      title: 'För många förfrågningar',
      text: 'Vänta en stund och försök igen.',
    },
    500: {
      title: 'Något gick fel',
      text: 'Vi kunde tyvärr inte hantera din begäran. Försök igen om några minuter.',
    },
  },
  unsubscribe: {
    title: 'Avregistrera dig',
    text: 'Tryck på knappen för att sluta få enkäter från {company}.',
    button: 'Avregistrera mig',
  },
  unsubscribed: {
    title: 'Du är avregistrerad',
    text: 'Du kommer inte längre att få enkäter från {company}.',
  },
} satisfies Messages;
