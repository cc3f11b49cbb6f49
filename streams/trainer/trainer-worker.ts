import { parentPort, workerData } from 'node:worker_threads';
import { fitModels, type TrainModelsOptions } from '../../src/ml/index.ts';

/** The trainer's worker thread: fits the models on the bars it is given and posts the artifacts back unsaved. */
export type TrainerWorkerReply =
  | { readonly kind: 'fitted'; readonly artifacts: ReturnType<typeof fitModels> }
  | { readonly kind: 'failed'; readonly message: string; readonly tooFewBars: boolean };

const options = workerData as Omit<TrainModelsOptions, 'modelsDir' | 'onProgress'>;
let reply: TrainerWorkerReply;
try {
  reply = { kind: 'fitted', artifacts: fitModels(options) };
} catch (error) {
  reply = { kind: 'failed', message: (error as Error).message, tooFewBars: error instanceof RangeError };
}
parentPort?.postMessage(reply);
