// WebSocket close codes used by every endpoint (docs/protocol.md#shared-websocket-rules). 4000 + HTTP status for errors that end a connection.

export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  badRequest: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  conflict: 4409,
  internal: 4500,
  unavailable: 4503,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

/** Close code for an error that ends a connection: 4000 + its HTTP-equivalent status. */
export function closeCodeForStatus(status: number): number {
  return 4000 + status;
}
