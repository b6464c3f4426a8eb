/**
 * Writing many assertions with bounded concurrency, one outcome per input, in input order.
 * One item's failure (bad input, 4xx, outage after retries) never fails the batch.
 */
import pLimitImport from 'p-limit';
import { z } from 'zod';
import { isStemeError, StemeError, StemeValidationError } from './errors.js';
import { esmDefault } from './interop.js';
import type { CallOptions } from './options.js';
import type { AssertionInput, AssertResponse } from './types.js';
import { parseInput } from './validate.js';

const pLimit = esmDefault(pLimitImport);

/** How many writes run at once unless told otherwise. */
export const DEFAULT_CONCURRENCY = 4;
/** The most writes `assertMany` runs at once. */
export const MAX_CONCURRENCY = 256;

/**
 * Options of `assertMany`: the per-call options (applied to each write), `concurrency`, and
 * `idempotencyKey` as a function of the item (one key per write).
 */
export interface AssertManyOptions extends Omit<CallOptions, 'idempotencyKey'> {
  /** Writes in flight at once, 1 to {@link MAX_CONCURRENCY}. @default DEFAULT_CONCURRENCY */
  concurrency?: number | undefined;
  /**
   * The `Idempotency-Key` of each item's write, from the item and its index, e.g.
   * `(_, i) => scanId + ":" + i` (per-item keys in an array: `(_, i) => keys[i]`). A key that
   * is not valid fails that item only (`invalid_options`). A function, not a string: one key
   * for every item would make the server refuse all but the first.
   * @default a random UUID per item
   */
  idempotencyKey?: ((input: AssertionInput, index: number) => string) | undefined;
}

/** The outcome of one input of `assertMany`; `index` is its position in the input. */
export type AssertManyResult =
  | { ok: true; index: number; value: AssertResponse }
  | { ok: false; index: number; error: StemeError };

const ConcurrencySchema = z.int().min(1).max(MAX_CONCURRENCY).optional();
const KeyFunctionSchema = z
  .custom<(input: AssertionInput, index: number) => string>(
    (v) => typeof v === 'function',
    'must be a function (input, index) => string: one key per item',
  )
  .optional();

/**
 * Runs `write` over `inputs`, at most `concurrency` at once. Rejects only when the arguments
 * themselves are wrong (not an array, bad concurrency or call options).
 */
export async function assertMany(
  inputs: readonly AssertionInput[],
  options: AssertManyOptions | undefined,
  write: (input: AssertionInput, options: CallOptions) => Promise<AssertResponse>,
  checkCallOptions: (options: CallOptions) => void,
): Promise<AssertManyResult[]> {
  if (!Array.isArray(inputs)) {
    throw new StemeValidationError({
      code: 'invalid_input',
      field: 'inputs',
      message: 'Invalid inputs: must be an array of assertions',
    });
  }
  const { concurrency, idempotencyKey, ...call } = options ?? {};
  const limit = parseInput(
    ConcurrencySchema,
    concurrency,
    'option',
    'invalid_options',
    'concurrency',
  );
  const keyOf = parseInput(
    KeyFunctionSchema,
    idempotencyKey,
    'option',
    'invalid_options',
    'idempotencyKey',
  );
  checkCallOptions(call); // fail the whole batch once, not every item, for a bad option
  const run = pLimit(limit ?? DEFAULT_CONCURRENCY);
  return Promise.all(
    inputs.map((input, index) =>
      run(async (): Promise<AssertManyResult> => {
        try {
          const options =
            keyOf === undefined ? call : { ...call, idempotencyKey: keyOf(input, index) };
          return { ok: true, index, value: await write(input, options) };
        } catch (error) {
          return { ok: false, index, error: asStemeError(error) };
        }
      }),
    ),
  );
}

// Everything the client throws is a StemeError; anything else is a bug, kept as the cause.
function asStemeError(error: unknown): StemeError {
  if (isStemeError(error)) return error;
  return new StemeError({
    code: 'unexpected',
    message: `unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
    cause: error,
  });
}
