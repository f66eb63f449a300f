// Server-to-client WebSocket frames encoded once, as bytes every subscriber can share. Server frames are never
// masked (RFC 6455 §5.1), so one encoded event is valid on every socket; this is what lets fan-out skip
// per-subscriber serialization.

const FIN_TEXT = 0x81;

/** Encode a text frame (header + UTF-8 payload) into one buffer. */
export function encodeTextFrame(text: string): Buffer {
  const len = Buffer.byteLength(text);
  const headerLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const buf = Buffer.allocUnsafe(headerLen + len);
  buf[0] = FIN_TEXT;
  if (len < 126) {
    buf[1] = len;
  } else if (len < 65536) {
    buf[1] = 126;
    buf.writeUInt16BE(len, 2);
  } else {
    buf[1] = 127;
    buf.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    buf.writeUInt32BE(len >>> 0, 6);
  }
  buf.write(text, headerLen, 'utf8');
  return buf;
}

/** A protocol ping with an empty payload. */
export const PING_FRAME = Buffer.from([0x89, 0x00]);

/** A protocol ping carrying `payload` (ASCII, at most 125 bytes); the peer's pong echoes it. */
export function encodePingFrame(payload: string): Buffer {
  const frame = Buffer.allocUnsafe(2 + payload.length);
  frame[0] = 0x89;
  frame[1] = payload.length;
  frame.write(payload, 2, 'latin1');
  return frame;
}
