import { randomUUID } from 'node:crypto';
import { CONTROLS, type ControlAction, type OperatorControl } from '../contracts/index.ts';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import type { LogPort } from '../log/port.ts';
import type { ControlCodec } from './control-codec.ts';
import type { OperatorControls } from './operator-controls.ts';

const READ_PAGE = 5_000;

export interface LogOperatorControlsOptions {
  readonly log: LogPort;
  readonly codec: ControlCodec;
  /** How many positions of a symbol are open now (the portfolio read model): a force-close needs one. */
  readonly openPositions: (symbol: string) => number;
  /** Another topic than crypto.controls (tests). */
  readonly topic?: string;
  /** The requests' wall-clock time. */
  readonly now?: () => number;
  readonly newId?: () => string;
}

/**
 * The operators' controls as requests appended to crypto.controls. A request takes effect once the
 * decision engine records it, at the next signal it decides (see DecisionRunner): pause and resume
 * act on the signals from then on, a force-close becomes a MARKET SELL of the symbol's open lots,
 * filled by the exchange at the next bar.
 */
export class LogOperatorControls implements OperatorControls {
  constructor(private readonly options: LogOperatorControlsOptions) {}

  private get topic(): string {
    return this.options.topic ?? CONTROLS;
  }

  pauseEntries(request: { symbol?: string; by: string; reason?: string }): Promise<void> {
    return this.request('PAUSE_ENTRIES', request);
  }

  resumeEntries(request: { symbol?: string; by: string }): Promise<void> {
    return this.request('RESUME_ENTRIES', request);
  }

  async forceClose(request: { symbol: string; by: string }): Promise<void> {
    if (this.options.openPositions(request.symbol) === 0)
      throw new CmlError(ErrorCodes.CONTROL_REFUSED, `no open ${request.symbol} position to close`, {
        hint: 'GET /portfolio (or `cml controls list`) shows the open positions; a position the exchange is still filling appears once it is FILLED.',
        details: { symbol: request.symbol },
      });
    await this.request('FORCE_CLOSE', request);
  }

  /** Every control in the log, requests and the engine's records, in log order. */
  async history(): Promise<OperatorControl[]> {
    const controls: OperatorControl[] = [];
    for (let offset = 0; ;) {
      const records = await this.options.log.read(this.topic, 0, offset, READ_PAGE);
      if (records.length === 0) return controls;
      for (const record of records) {
        try {
          controls.push(await this.options.codec.decode(record.value));
        } catch {
          // The decision engine skips (and logs) an unreadable control; so does the view.
        }
        offset = record.offset + 1;
      }
    }
  }

  private async request(
    action: ControlAction,
    request: { symbol?: string; by: string; reason?: string },
  ): Promise<void> {
    const control: OperatorControl = {
      control_id: (this.options.newId ?? randomUUID)(),
      action,
      symbol: request.symbol ?? null,
      requested_at: (this.options.now ?? Date.now)(),
      requested_by: request.by,
      reason: request.reason ?? null,
      applied_from: null,
    };
    await this.options.log.append([{ topic: this.topic, records: this.options.codec.records([control]) }]);
  }
}
