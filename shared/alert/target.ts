/**
 * Posting to a hook's URL, safely. On AWS a hook must be `https://` and reach a public address: the
 * host is resolved, every address checked against the private, loopback, link-local and reserved
 * ranges, and the connection made to the checked address itself (so a second DNS answer cannot swap
 * in an internal one). The local stack (NPSWAVE_LOCAL_HOOKS) also reaches receivers on this machine.
 * Every attempt has one deadline (10 s) for connecting, sending and the answer.
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { loopbackHooksAllowed } from '../survey/schema.ts';

export const webhookTimeoutMs = 10_000;
/** Bytes of the receiver's answer kept with the attempt. */
export const keptResponseBytes = 300;

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 96],
  ['::1', 128],
  ['::ffff:0:0:0', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2002::', 16],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address an IPv6 address carries (v4-mapped, NAT64), which is what it really reaches. */
function embeddedIpv4(address: string): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const hexMapped = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hexMapped) {
    const hi = Number.parseInt(hexMapped[1] as string, 16);
    const lo = Number.parseInt(hexMapped[2] as string, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const nat64 = /^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return nat64?.[1];
}

/** Whether a hook may connect to this address when running as on AWS. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blocked.check(address, 'ipv4');
  if (family !== 6) return false;
  const v4 = embeddedIpv4(address);
  if (v4) return isPublicAddress(v4);
  return !blocked.check(address, 'ipv6');
}

export class TargetRefused extends Error {
  override name = 'TargetRefused';
}

interface Resolved {
  url: URL;
  address: string;
  family: 4 | 6;
}

/** Checks a hook's URL and resolves it to the one address the attempt will connect to. */
export async function resolveTarget(rawUrl: string): Promise<Resolved> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TargetRefused('not a URL');
  }
  const local = loopbackHooksAllowed();
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    throw new TargetRefused('a hook must use https://');
  }
  if (url.username || url.password) throw new TargetRefused('a hook URL must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal as 4 | 6 }]
    : await withTimeout(
        lookup(host, { all: true, verbatim: true }) as Promise<{ address: string; family: 4 | 6 }[]>,
        webhookTimeoutMs,
        `DNS lookup of ${host} timed out`,
      );
  if (!addresses.length) throw new TargetRefused(`${host} does not resolve`);
  if (!local) {
    const internal = addresses.find((a) => !isPublicAddress(a.address));
    if (internal)
      throw new TargetRefused(`${host} resolves to a private or reserved address (${internal.address})`);
  }
  const first = addresses[0] as { address: string; family: 4 | 6 };
  return { url, address: first.address, family: first.family };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface PostResult {
  status?: number;
  error?: string;
  /** Seconds the receiver asked us to wait (Retry-After, as seconds or an HTTP date). */
  retryAfterSeconds?: number;
  response?: string;
  latencyMs: number;
  /** The target itself was refused (SSRF rules, a bad URL): retrying cannot help. */
  refused?: boolean;
}

export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** One POST, never throwing: what happened is in the result. */
export async function postJson(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
): Promise<PostResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let target: Resolved;
  try {
    target = await resolveTarget(rawUrl);
  } catch (err) {
    const refused = err instanceof TargetRefused;
    return {
      error: refused ? `refused: ${(err as Error).message}` : `DNS: ${(err as Error).message}`,
      latencyMs: latency(),
      refused,
    };
  }
  const { url, address, family } = target;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<PostResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: latency() });
    };
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'npswave-webhooks/1',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
        // Connect to the address that was checked, whatever a second lookup would say.
        lookup: (_host, options, callback) => {
          if ((options as { all?: boolean }).all)
            (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [
              { address, family },
            ]);
          else (callback as (e: null, a: string, f: number) => void)(null, address, family);
        },
        // SNI names a host, never an address (an IPv6 literal comes in brackets).
        servername: isIP(url.hostname.replace(/^\[|\]$/g, '')) ? undefined : url.hostname,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < keptResponseBytes) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        const done = () =>
          finish({
            status: response.statusCode ?? 0,
            response: Buffer.concat(chunks).toString('utf8').slice(0, keptResponseBytes),
            ...retryAfterOf(response.headers['retry-after']),
          });
        response.on('end', done);
        response.on('error', done);
        response.on('close', done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish({ error: `timed out after ${webhookTimeoutMs / 1000} s` });
    }, webhookTimeoutMs);
    request.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
    request.end(body);
  });
}

function retryAfterOf(header: string | string[] | undefined): { retryAfterSeconds?: number } {
  const value = Array.isArray(header) ? header[0] : header;
  const seconds = parseRetryAfter(value, Date.now());
  return seconds === undefined ? {} : { retryAfterSeconds: seconds };
}
