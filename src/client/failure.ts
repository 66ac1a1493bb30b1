import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  TimeoutFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ConfigError } from '../config';

// What the CLI prints when a command fails, and the exit codes, in one place. A failure that
// comes back through Temporal is a chain (WorkflowFailedError → ActivityFailure →
// ApplicationFailure …); the user needs the message at its bottom, which names the record,
// field, URL or path, not "Workflow execution failed". Messages only: a failure's details and
// stack stay out (the worker keeps secrets out of messages; details are not checked for that).

/** The CLI's exit codes, listed in its usage and the README. */
export const EXIT = {
  ok: 0,
  /** The command failed; the cause is on stderr. */
  failure: 1,
  /** A mistake in the command line: nothing was started or changed. */
  usage: 2,
  /** reconcile: the remote folder and the ledger differ. */
  difference: 3,
} as const;

/** A failure already worded for the user (no worker, Temporal unreachable, …). */
export class CliError extends Error {
  constructor(
    message: string,
    /** Lines printed under the message, e.g. what to check. */
    readonly hints: string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A failure of the workflow a command ran or asked, carrying its ID for the message. */
export class WorkflowCommandError extends Error {
  constructor(
    readonly workflowId: string,
    override readonly cause: unknown,
  ) {
    super(`workflow ${workflowId} failed`);
    this.name = 'WorkflowCommandError';
  }
}

/** Runs a call about one workflow; a failure is rethrown with the workflow's ID attached. */
export async function aboutWorkflow<T>(workflowId: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof CliError || err instanceof ConfigError) throw err;
    throw new WorkflowCommandError(workflowId, err);
  }
}

/** Errors that only say "something below failed": their own message is left out. */
function isWrapper(err: Error): boolean {
  return (
    err instanceof WorkflowCommandError ||
    err instanceof WorkflowFailedError ||
    err instanceof WorkflowUpdateFailedError ||
    err instanceof ActivityFailure ||
    err instanceof ChildWorkflowFailure
  );
}

function ownMessage(err: Error): string {
  if (err instanceof TimeoutFailure && err.timeoutType) {
    return `${err.message} (${err.timeoutType.toLowerCase().replaceAll('_', '-')})`;
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return `Workflow ${err.workflowId} is already running`;
  }
  if (err instanceof WorkflowNotFoundError) {
    return `Workflow ${err.workflowId} not found${err.runId ? ` (run ${err.runId})` : ''}`;
  }
  return err.message;
}

/**
 * The lines to print for a failed command: `error: <the cause>`, the distinct messages below it
 * as `caused by:`, then where it happened (workflow, child workflow, activity, failure type).
 */
export function describeError(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (err instanceof CliError) return [`error: ${err.message}`, ...err.hints.map((h) => `  ${h}`)].join('\n');
  if (!(err instanceof Error)) return `error: ${String(err)}`;
  const messages: string[] = [];
  const where: string[] = [];
  let failureType: string | undefined;
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 20; depth++) {
    if (current instanceof WorkflowCommandError) where.push(`workflow ${current.workflowId}`);
    if (current instanceof ChildWorkflowFailure) where.push(`child workflow ${current.execution.workflowId}`);
    if (current instanceof ActivityFailure) where.push(`activity ${current.activityType}`);
    // A plain Error thrown in a workflow or activity arrives typed "Error": nothing to add.
    if (current instanceof ApplicationFailure && current.type && current.type !== 'Error' && !failureType)
      failureType = current.type;
    const next: unknown = current.cause;
    if (!(isWrapper(current) && next instanceof Error)) {
      const message = ownMessage(current).trim();
      if (message && !messages.includes(message)) messages.push(message);
    }
    current = next;
  }
  if (failureType) where.push(`failure type ${failureType}`);
  const [first = err.name, ...rest] = messages;
  return [
    `error: ${first}`,
    ...rest.map((m) => `  caused by: ${m}`),
    ...(where.length ? [`  (${where.join(', ')})`] : []),
  ].join('\n');
}
