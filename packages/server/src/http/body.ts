// Reading JSON request bodies with a size limit: over the limit → 413, bad JSON → 400 (docs/protocol.md#events, docs/security.md). The bytes
// must be UTF-8 (a leading byte order mark is skipped); invalid sequences are refused rather than replaced, so
// what is stored is exactly what was sent. The parsed value must also nest at most MAX_BODY_DEPTH containers and
// hold only finite numbers (see json-shape.ts; docs/protocol.md, "Input hygiene").

import type { IncomingMessage } from 'node:http';
import { MAX_BODY_DEPTH, SwitchboardError } from '@switchboard/protocol';
import { jsonShapeProblem } from './json-shape';

export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      // Drain so the client gets the 413 instead of a reset connection.
      req.resume();
      reject(new SwitchboardError('payload_too_large', `request body is larger than ${maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        chunks.length = 0;
        reject(new SwitchboardError('payload_too_large', `request body is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      try {
        resolve(parseJsonBody(Buffer.concat(chunks, size)));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', (err) => {
      if (!failed) reject(new SwitchboardError('bad_request', `request body could not be read: ${err.message}`));
    });
  });
}

/** Decode and parse a complete body; throws the 400 of the first problem found. */
export function parseJsonBody(bytes: Uint8Array, maxDepth = MAX_BODY_DEPTH): unknown {
  let text: string;
  try {
    // Not shared: a fatal decoder that threw may hold state; one per body costs nothing next to JSON.parse.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SwitchboardError('invalid_json', 'request body is not valid UTF-8; send JSON encoded as UTF-8', { details: { field: 'body' } });
  }
  if (text.trim() === '') {
    throw new SwitchboardError('validation_failed', 'request body is empty; send a JSON object', { details: { field: 'body' } });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SwitchboardError('invalid_json', `request body is not valid JSON: ${(err as Error).message.slice(0, 200)}`, { details: { field: 'body' } });
  }
  const problem = jsonShapeProblem(value, maxDepth);
  if (problem) {
    const where = problem.path ? ` (at ${problem.path})` : '';
    const message = problem.kind === 'too_deep'
      ? `request body nests arrays and objects more than ${maxDepth} levels deep${where}`
      : `request body has a number too large to represent${where}; send it as a string`;
    throw new SwitchboardError('validation_failed', message, { details: { field: 'body' } });
  }
  return value;
}
