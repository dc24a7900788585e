/** The sign-in page: an admin key in a password field, posted to /admin/sign-in. */
import { html } from '../pages/html.ts';
import { renderDashboardPage, type View } from './layout.ts';

export type SignInNotice = 'wrongKey' | 'signedOut' | 'expired';

export interface SignInPageInput {
  /** Where to go once signed in (a dashboard path). */
  next?: string;
  notice?: SignInNotice;
}

export function renderSignInPage(view: View, input: SignInPageInput): string {
  const { m } = view;
  const notice = input.notice ? m.signIn[input.notice] : undefined;
  const main = html`<h1>${m.signIn.heading}</h1>
${notice ? html`<p class="notice${input.notice === 'wrongKey' ? ' error' : ''}" role="${input.notice === 'wrongKey' ? 'alert' : 'status'}">${notice}</p>` : ''}
<div class="card">
<p>${m.signIn.intro}</p>
<form method="post" action="/admin/sign-in">
${input.next ? html`<input type="hidden" name="next" value="${input.next}">` : ''}
<label for="key">${m.signIn.key}</label>
<input type="password" id="key" name="key" required autocomplete="current-password" spellcheck="false" autofocus>
<p><button type="submit">${m.signIn.submit}</button></p>
</form>
</div>`;
  return renderDashboardPage(view, { title: m.signIn.title, main });
}
