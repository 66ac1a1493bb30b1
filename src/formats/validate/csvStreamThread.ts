import { extname } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type CsvStreamExpectation, type CsvStreamValidator, csvStreamValidator } from './csvStream';
import type { ValidationResult } from './result';

// The same CSV check (csvStreamValidator) on a thread of its own, for large files: rendering keeps
// the worker's main thread busy, and the independent re-parse is a third of that work, while the
// machine's other core mostly waits. The text goes over in batches; a bounded number of batches
// is in flight, so a slow check slows the render instead of queueing the file in memory.

/** Text is sent in batches of about this many characters. */
const BATCH_CHARS = 256 * 1024;
/** Batches sent and not yet checked, at most: about 2 MB of text waiting. */
const MAX_IN_FLIGHT = 8;

type ToThread = { text: string } | { finish: number };
type FromThread = { checked: true } | { result: ValidationResult };

export interface ThreadedCsvCheck extends CsvStreamValidator {
  /** Ends the thread when the render stops before finish (an error); a no-op after finish. */
  abandon(): void;
}

/**
 * Check threads one worker process runs at once, at most: each is an isolate of its own (about
 * 15–20 MB), and four syncs at once on one worker took its RSS from 275 to 333 MB with one each.
 * A large file rendered while another's check has the thread is checked in line.
 */
const MAX_CHECK_THREADS = 1;
let checkThreads = 0;

/** Check threads running now, until each one's exit (for tests). */
export function checkThreadsRunning(): number {
  return checkThreads;
}

/** The check for a large file: on a thread of its own when one is free, else in line. */
export function largeFileCsvCheck(expected: CsvStreamExpectation): CsvStreamValidator {
  return checkThreads < MAX_CHECK_THREADS ? threadedCsvCheck(expected) : csvStreamValidator(expected);
}

export function threadedCsvCheck(expected: CsvStreamExpectation): ThreadedCsvCheck {
  // Compiled, this file is .js and the thread runs it as it is; from source (tsx: tests, the dev
  // worker) it is .ts, which the thread loads through tsx's require hook.
  const fromSource = extname(__filename) === '.ts';
  const options = {
    workerData: { csvCheck: expected },
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
  };
  const worker = fromSource
    ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { ...options, eval: true })
    : new Worker(__filename, options);
  let batch = '';
  let inFlight = 0;
  let failure: Error | null = null;
  let done = false;
  let wake: (() => void) | null = null;
  let settle: { resolve(r: ValidationResult): void; reject(e: Error): void } | null = null;
  const fail = (err: Error) => {
    failure ??= new Error(`The CSV check's thread failed: ${err.message}`, { cause: err });
    wake?.();
    settle?.reject(failure);
  };
  worker.on('message', (m: FromThread) => {
    if ('checked' in m) {
      inFlight--;
      wake?.();
    } else settle?.resolve(m.result);
  });
  worker.on('error', fail);
  checkThreads++;
  worker.on('exit', (code) => {
    checkThreads--;
    if (!done) fail(new Error(`exited with code ${code} before the check ended`));
  });
  const send = (message: ToThread) => worker.postMessage(message);
  const flush = () => {
    if (!batch) return;
    send({ text: batch });
    batch = '';
    inFlight++;
  };
  return {
    push(text) {
      if (failure) throw failure;
      batch += text;
      if (batch.length < BATCH_CHARS) return;
      flush();
      if (inFlight < MAX_IN_FLIGHT) return;
      return new Promise<void>((resolve, reject) => {
        wake = () => {
          if (failure) reject(failure);
          else if (inFlight < MAX_IN_FLIGHT) resolve();
          else return;
          wake = null;
        };
      });
    },
    async finish(dataRows) {
      if (failure) throw failure;
      flush();
      try {
        return await new Promise<ValidationResult>((resolve, reject) => {
          settle = { resolve, reject };
          send({ finish: dataRows });
        });
      } finally {
        done = true;
        await worker.terminate();
      }
    },
    abandon() {
      if (done) return;
      done = true;
      void worker.terminate();
    },
  };
}

/** The thread: the plain validator, fed batch by batch, acknowledging each. */
function runCheckThread(expected: CsvStreamExpectation) {
  const check = csvStreamValidator(expected);
  parentPort!.on('message', async (m: ToThread) => {
    if ('text' in m) {
      await check.push(m.text);
      parentPort!.postMessage({ checked: true } satisfies FromThread);
    } else {
      parentPort!.postMessage({ result: await check.finish(m.finish) } satisfies FromThread);
    }
  });
}

if (!isMainThread && (workerData as { csvCheck?: CsvStreamExpectation } | null)?.csvCheck) {
  runCheckThread((workerData as { csvCheck: CsvStreamExpectation }).csvCheck);
}
