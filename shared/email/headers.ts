/** The one-click unsubscribe headers of RFC 2369 and RFC 8058. */

export interface MailHeader {
  name: string;
  value: string;
}

// A line break would let a value write headers of its own; angle brackets would end the URL early.
const unsafe = /[\s<>]/;

/**
 * `List-Unsubscribe` with the HTTPS URL first (the one RFC 8058 one-click POSTs to), then the
 * mailto: alternative when there is one; and `List-Unsubscribe-Post`.
 */
export function unsubscribeHeaders(unsubscribeUrl: string, unsubscribeMailto?: string): MailHeader[] {
  const targets = [unsubscribeUrl];
  if (unsubscribeMailto) {
    const address = unsubscribeMailto.replace(/^mailto:/i, '').split('?')[0] ?? '';
    targets.push(`mailto:${address}?subject=unsubscribe`);
  }
  const bad = targets.find((t) => unsafe.test(t));
  if (bad !== undefined)
    throw new Error(`List-Unsubscribe target has an unsafe character: ${JSON.stringify(bad)}`);
  return [
    { name: 'List-Unsubscribe', value: targets.map((t) => `<${t}>`).join(', ') },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}

/** A subject on one line: survey text may carry newlines, which a header cannot. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
