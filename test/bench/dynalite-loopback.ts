import { EventEmitter } from 'node:events';
import dynalite from 'dynalite';

/**
 * An in-process dynalite reached without sockets: the SDK client's request
 * handler hands each request straight to dynalite's HTTP request listener.
 * Same DynamoDB semantics and capacity figures as over loopback HTTP, without
 * the per-call cost of two HTTP stacks, so a long bench measures the product.
 */

type Listener = (req: EventEmitter, res: FakeResponse) => void;
type Request = { method: string; path: string; headers: Record<string, string>; body?: unknown };
type Response = { statusCode: number; headers: Record<string, string>; body: Uint8Array };

class FakeResponse {
  statusCode = 200;
  contentType = '';
  readonly headers: Record<string, string> = {};
  constructor(private readonly done: (res: FakeResponse, body: string) => void) {}
  setHeader(name: string, value: unknown): void {
    this.headers[name.toLowerCase()] = String(value);
  }
  end(body?: string): void {
    this.done(this, body ?? '');
  }
}

export function loopbackDynalite() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [listener] = server.listeners('request') as Listener[];
  if (listener === undefined) throw new Error('dynalite: no request listener');
  const requestHandler = {
    metadata: { handlerProtocol: 'http/1.1' },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
    destroy: () => {},
    handle: (request: Request) =>
      new Promise<{ response: Response }>((resolve) => {
        const req = Object.assign(new EventEmitter(), {
          method: request.method,
          url: request.path,
          headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
        });
        const res = new FakeResponse((r, body) =>
          resolve({
            response: { statusCode: r.statusCode, headers: r.headers, body: new TextEncoder().encode(body) },
          }),
        );
        listener(req, res);
        const raw = request.body;
        const body =
          raw instanceof Uint8Array
            ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
            : typeof raw === 'string'
              ? Buffer.from(raw)
              : Buffer.alloc(0);
        process.nextTick(() => {
          if (body.length > 0) req.emit('data', body);
          req.emit('end');
        });
      }),
  };
  return {
    requestHandler,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
