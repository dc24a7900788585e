/**
 * HTML built by a tagged template that escapes every interpolated value unless it is already
 * `SafeHtml`. Escaping by default means survey text, comments and names can never open a tag or
 * an attribute, whichever template forgets to think about it. Used by the pages and the email.
 */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and for quoted attribute values alike (URLs included). */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => entities[c] ?? c);

const render = (value: HtmlValue): string => {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof SafeHtml) return value.html;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
};

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Trusted markup, for constants such as a stylesheet; never for anything a person typed. */
export const raw = (markup: string): SafeHtml => new SafeHtml(markup);

/** Plain text as paragraphs: blank lines split paragraphs, single newlines become line breaks. */
export function paragraphs(text: string, attributes: SafeHtml = raw('')): SafeHtml {
  const blocks = text
    .split(/\r?\n\s*\r?\n/)
    .map((block) => block.trim())
    .filter((block) => block !== '');
  return html`${blocks.map(
    (block) =>
      html`<p${attributes}>${block.split(/\r?\n/).map((line, i) => (i === 0 ? line : html`<br>${line}`))}</p>`,
  )}`;
}
