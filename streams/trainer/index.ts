/**
 * The trainer service: retrains the served models on a schedule from the bars in
 * crypto.market_data and publishes each as a new artifact version with its provenance
 * (`startTrainer`), fitting in a worker thread. `TrainingWindow` and `retrainDue` are its pure parts.
 */
export { startTrainer, type Trainer, type TrainerOptions, type TrainerStats } from './trainer-service.ts';
export { TrainingWindow, retrainDue } from './training-window.ts';
