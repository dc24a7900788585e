/**
 * The load generator for timed submits: HTTP/1.1 form posts written straight onto keep-alive
 * sockets, one request in flight per socket. It stands in for browsers, which on AWS spend none of
 * the server's CPU; here it shares the two cores with the gateway and DynamoDB Local, so the less
 * it costs, the more of the figure is the system's. Measured against node:http's client (ClientRequest, agent
 * bookkeeping, a parser per response): about half the CPU per request. It reads only what the gateway
 * sends: a status line, headers with Content-Length, and that many bytes of body.
 */
import { connect, type Socket } from 'node:net';
import type { Answered } from './http.ts';

const headerEnd = Buffer.from('\r\n\r\n');

class Connection {
  readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (a: Answered) => void; reject: (e: Error) => void } | undefined;
  closed = false;

  constructor(host: string, port: number) {
    this.socket = connect(port, host);
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('the gateway closed the connection')));
  }

  request(message: string): Promise<Answered> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(message);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const end = this.buffer.indexOf(headerEnd);
    if (end < 0) return;
    const head = this.buffer.subarray(0, end).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
    if (length === undefined) {
      this.fail(new Error(`an answer without Content-Length: ${head.split('\r\n')[0]}`));
      return;
    }
    const bodyStart = end + headerEnd.length;
    if (this.buffer.length < bodyStart + Number(length)) return;
    const status = Number(head.slice(9, 12));
    const body = this.buffer.subarray(bodyStart, bodyStart + Number(length)).toString('utf8');
    this.buffer = Buffer.alloc(0);
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({ status, body });
  }

  private fail(err: Error): void {
    this.closed = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(err);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

/** Posts forms to one gateway over a pool of keep-alive connections (as many as posts in flight). */
export class FormPoster {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
  }

  async post(path: string, form: string): Promise<Answered> {
    let connection = this.idle.pop();
    while (connection?.closed) connection = this.idle.pop();
    if (!connection) {
      connection = new Connection(this.host, this.port);
      this.all.add(connection);
    }
    const message =
      `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(form)}\r\n\r\n${form}`;
    const answered = await connection.request(message);
    if (!connection.closed) this.idle.push(connection);
    return answered;
  }

  close(): void {
    for (const connection of this.all) connection.close();
    this.all.clear();
    this.idle.length = 0;
  }
}
