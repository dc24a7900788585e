/**
 * The dashboard's stylesheet: one constant, allowed by the Content-Security-Policy through its hash
 * (no 'unsafe-inline'), with the charts' rules appended. Phone first; wide screens get columns.
 */
import { createHash } from 'node:crypto';
import { chartCss } from './charts/style.ts';

const ownCss = `*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','PingFang SC','Microsoft YaHei',sans-serif;color:#1f2328;background:#f6f7f9}
[hidden]{display:none!important}
a{color:#1d4ed8}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem}
.skip:focus{left:.5rem;z-index:2}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.bar{background:#fff;border-bottom:1px solid #d0d7de}
.bar nav{max-width:72rem;margin:0 auto;padding:.5rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem}
.bar .brand{font-weight:700;color:#1f2328;text-decoration:none;margin-inline-end:auto}
.bar form{margin:0}
.bar a[aria-current]{color:#1f2328;font-weight:700;text-decoration:none}
main{display:block;max-width:72rem;margin:0 auto;padding:1rem 1rem 3rem}
h1{font-size:1.5rem;line-height:1.3;margin:.5rem 0 .25rem;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:0 0 .75rem}
h3{font-size:1rem;margin:1rem 0 .5rem}
p{margin:0 0 .75rem}
.muted{color:#57606a;font-size:.875rem}
.card{background:#fff;border:1px solid #d0d7de;border-radius:.5rem;padding:1rem;margin:0 0 1rem;min-width:0}
.grid{display:grid;gap:1rem;grid-template-columns:minmax(0,1fr)}
.grid>.card{margin:0}
.notice{padding:.75rem 1rem;background:#fff;border-inline-start:4px solid #1d4ed8;margin:0 0 1rem}
.notice.error{border-color:#b42318}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.8125rem;font-weight:600;border:1px solid currentColor}
.st-published,.st-open{color:#116329}.st-draft,.st-sending{color:#57606a}.st-unpublished,.st-closed{color:#9a3412}
.big{font-size:2.75rem;font-weight:700;line-height:1.1;font-variant-numeric:tabular-nums}
.big small{font-size:1.25rem;font-weight:600;color:#57606a;margin-inline-start:.5rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0 1rem}
.actions form{margin:0}
.btn,button{display:inline-block;padding:.5rem 1rem;font:inherit;font-weight:600;border-radius:.375rem;border:2px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer;text-decoration:none;line-height:1.4}
.btn.ghost,button.ghost{background:#fff;color:#1d4ed8}
.btn.danger,button.danger{background:#b42318;border-color:#b42318;color:#fff}
.bar button{padding:.25rem .75rem}
.tabs{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0 0 .75rem;padding:0;list-style:none}
.tabs a[aria-current]{font-weight:700;color:#1f2328;text-decoration:none}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:start;padding:.375rem .5rem;border-bottom:1px solid #d0d7de;vertical-align:top}
thead th{font-size:.875rem;color:#57606a}
td.num,th.num{text-align:end;white-space:nowrap}
.scroll{overflow-x:auto}
.surveys td[data-label]::before{display:none}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
label.inline{display:inline;font-weight:400;margin:0}
details>summary{cursor:pointer;font-weight:600;padding:.25rem 0}
input,select,textarea{font:inherit;color:inherit;background:#fff;border:2px solid #6e7781;border-radius:.375rem;padding:.375rem .5rem;max-width:100%}
input[type=text],input[type=email],input[type=password],input[type=url],textarea{width:100%}
input[type=color]{padding:0;width:3.5rem;height:2.5rem}
textarea{min-height:5rem;resize:vertical}
fieldset{border:1px solid #d0d7de;border-radius:.375rem;margin:1rem 0;padding:.5rem 1rem 1rem;min-width:0}
legend{font-weight:700;padding:0 .25rem}
.filters{display:grid;gap:0 1rem;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));align-items:end}
.filters label{margin-top:.5rem}
.filters .wide{grid-column:1/-1}
.filters .go{display:flex;gap:.75rem;align-items:center;margin-top:.75rem}
.comments{list-style:none;margin:0;padding:0}
.comments li{border-top:1px solid #d0d7de;padding:.75rem 0;display:grid;grid-template-columns:auto minmax(0,1fr);gap:0 .75rem;align-items:start}
.comments blockquote{margin:0 0 .25rem;white-space:pre-wrap;overflow-wrap:anywhere}
.comments .who{margin:0}
.comments .pill{width:2.25rem}
.who{font-size:.875rem;color:#57606a}
.pill{display:inline-block;min-width:2rem;text-align:center;font-weight:700;border-radius:.25rem;padding:0 .375rem;color:#fff}
.pill.seg-promoter,.pill.seg-high{background:#005a8c}.pill.seg-passive,.pill.seg-neutral{background:#57606a}.pill.seg-detractor,.pill.seg-low{background:#a33c00}
.pager{display:flex;gap:1rem;flex-wrap:wrap;margin-top:.75rem}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem;margin:0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
.timeline{list-style:none;margin:0;padding:0}
.timeline li{border-inline-start:3px solid #d0d7de;padding:.25rem 0 .75rem .75rem}
.sentences{padding-inline-start:1.25rem;margin:.5rem 0 0}
@media (max-width:40rem){.surveys thead{position:absolute;left:-999px}.surveys tr{display:block;border-bottom:1px solid #d0d7de;padding:.5rem 0}.surveys td{display:flex;justify-content:space-between;gap:1rem;border:0;padding:.125rem 0;text-align:end}.surveys td[data-label]::before{display:block;content:attr(data-label);font-weight:600;text-align:start}.surveys td.name{display:block;text-align:start;font-weight:700}.surveys td>span{min-width:0}}
table.waves th[scope=row]{white-space:nowrap}
@media (min-width:56rem){.grid.two{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}.grid.three{grid-template-columns:repeat(3,minmax(0,1fr))}}
@media (forced-colors:active){.pill{border:1px solid CanvasText}}`;

export const dashboardCss = `${ownCss}\n${chartCss}`;

/** The CSP source that allows exactly `dashboardCss`. */
export const dashboardCssHash = `'sha256-${createHash('sha256').update(dashboardCss, 'utf8').digest('base64')}'`;
