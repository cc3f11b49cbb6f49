import { CmlError, ErrorCodes, type ErrorCode } from '../errors/index.ts';
import type { ControlsView } from './controls-view.ts';
import type { OperatorControls } from './operator-controls.ts';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCodes));

/**
 * The operators' controls through the HTTP API of a running pipeline (its /controls routes),
 * for a process that does not own the log: the CLI beside `npm start`, a bot.
 */
export class HttpOperatorControls implements OperatorControls {
  /**
   * @param baseUrl the API's address, e.g. http://127.0.0.1:3000
   * @param key the API key (api.key); the mutating routes refuse without it
   */
  constructor(
    private readonly baseUrl: string,
    private readonly key: string | undefined,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  pauseEntries(request: { symbol?: string; by: string; reason?: string }): Promise<void> {
    return this.post('/controls/pause', request);
  }

  resumeEntries(request: { symbol?: string; by: string }): Promise<void> {
    return this.post('/controls/resume', request);
  }

  forceClose(request: { symbol: string; by: string }): Promise<void> {
    return this.post('/controls/close', request);
  }

  async view(): Promise<ControlsView> {
    return (await this.call('GET', '/controls')) as ControlsView;
  }

  private async post(path: string, body: object): Promise<void> {
    await this.call('POST', path, body);
  }

  private async call(method: string, path: string, body?: object): Promise<unknown> {
    const url = new URL(path, this.baseUrl);
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.key === undefined ? {} : { 'x-api-key': this.key }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new CmlError(ErrorCodes.API_UNAVAILABLE, `no API answers at ${url.origin}`, {
        cause,
        canRetry: true,
        hint: 'Start the pipeline with its API (`npm start`, or `cml start`), or point --url at it.',
      });
    }
    const payload = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    if (response.ok) return payload;
    const code: ErrorCode =
      payload.code !== undefined && KNOWN_CODES.has(payload.code)
        ? (payload.code as ErrorCode)
        : ErrorCodes.API_UNAVAILABLE;
    throw new CmlError(code, payload.message ?? `${method} ${url.pathname} answered ${response.status}`, {
      details: { status: response.status },
      ...(response.status === 401 || code === ErrorCodes.API_KEY_NOT_CONFIGURED
        ? { hint: 'Set the same API key as the pipeline: CML_API_KEY, or api.key in the config file.' }
        : {}),
    });
  }
}
