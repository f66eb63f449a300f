// Reading JSON request bodies with a size limit: over the limit → 413, bad JSON → 400 (SPEC §2, §13).

import type { IncomingMessage } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';

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
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        reject(new SwitchboardError('validation_failed', 'request body is empty; send a JSON object', { details: { field: 'body' } }));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(new SwitchboardError('invalid_json', `request body is not valid JSON: ${(err as Error).message}`, { details: { field: 'body' } }));
      }
    });
    req.on('error', (err) => {
      if (!failed) reject(new SwitchboardError('bad_request', `request body could not be read: ${err.message}`));
    });
  });
}
