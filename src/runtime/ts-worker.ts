import { Worker } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript module, loaded through tsx (the project runs its TypeScript
 * without a build) from an inline bootstrap: a worker does not inherit the loader hooks of its parent.
 */
export function startTsWorker(entry: URL, workerData: unknown): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const href = JSON.stringify(entry.href);
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${href}, ${href}))`;
  return new Worker(bootstrap, { eval: true, workerData });
}
