/**
 * The pages' stylesheet. It is one constant so the Content-Security-Policy can allow it by its
 * hash, with no 'unsafe-inline'; the survey's accent colours come in a second, tiny <style> that
 * carries the request's nonce (pages rendered without a nonce keep the default accent).
 */
import { createHash } from 'node:crypto';
import { defaultAccent, type Palette, paletteOf } from './colour.ts';

const defaults = paletteOf(defaultAccent);

export const baseCss = `:root{--fill:${defaults.fill};--on-fill:${defaults.onFill};--ink:${defaults.ink}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','PingFang SC','Microsoft YaHei',sans-serif;color:#1f2328;background:#f6f7f9}
[hidden]{display:none!important}
.top{background:#fff;border-top:4px solid var(--fill);border-bottom:1px solid #e5e7eb}
.top p{max-width:36rem;margin:0 auto;padding:.75rem 1rem;font-weight:700;color:var(--ink)}
main{display:block;max-width:36rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.3rem;line-height:1.35;margin:0 0 1rem}
p{margin:0 0 1rem}
a{color:var(--ink)}
fieldset{border:0;margin:0 0 1.75rem;padding:0;min-width:0}
legend{padding:0;width:100%}
.scale{display:grid;gap:.375rem;grid-template-columns:repeat(var(--n),minmax(0,1fr))}
.n3{--n:3}.n4{--n:4}.n5{--n:5}.n6{--n:6}.n7{--n:7}.n8{--n:8}.n9{--n:9}.n10{--n:10}.n11{--n:11}
.opt{position:relative}
.opt input{position:absolute;top:0;left:0;width:100%;height:100%;margin:0;opacity:0;cursor:pointer}
.opt label{display:flex;align-items:center;justify-content:center;min-height:2.75rem;border:2px solid #6b7280;border-radius:.375rem;background:#fff;font-weight:600;font-variant-numeric:tabular-nums}
.opt input:checked+label{background:var(--fill);border-color:var(--fill);color:var(--on-fill)}
.opt input:focus-visible+label{outline:3px solid var(--ink);outline-offset:2px}
.ends{display:flex;justify-content:space-between;gap:1rem;margin-top:.5rem;font-size:.875rem;color:#4b5563}
.ends span:last-child{text-align:end}
.q{display:block;font-weight:600;margin-bottom:.25rem}
.hint{font-size:.875rem;color:#4b5563;margin:0 0 .5rem}
textarea{display:block;width:100%;min-height:7rem;padding:.5rem .625rem;font:inherit;color:inherit;background:#fff;border:2px solid #6b7280;border-radius:.375rem;resize:vertical}
button{margin-top:1.25rem;padding:.75rem 1.75rem;font:inherit;font-weight:600;color:var(--on-fill);background:var(--fill);border:2px solid var(--fill);border-radius:.375rem;cursor:pointer}
textarea:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--ink);outline-offset:2px}
.notice{padding:.75rem 1rem;background:#fff;border-inline-start:4px solid var(--ink)}
.muted{font-size:.875rem;color:#4b5563}
@media (max-width:359px){.n11{--n:6}}
@media (forced-colors:active){.opt input:checked+label{outline:3px solid CanvasText}}`;

/** The CSP source that allows exactly `baseCss`. */
export const baseCssHash = `'sha256-${createHash('sha256').update(baseCss, 'utf8').digest('base64')}'`;

/** Custom properties for a survey's accent; `undefined` when the defaults already match. */
export function accentCss(palette: Palette): string | undefined {
  if (palette.fill === defaults.fill) return undefined;
  return `:root{--fill:${palette.fill};--on-fill:${palette.onFill};--ink:${palette.ink}}`;
}
