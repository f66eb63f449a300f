// @switchboard/protocol: the wire contract shared by server, SDK and apps. No I/O here.
export * from './constants';
export * from './close-codes';
export * from './errors';
export * from './topics';
export * from './cursor';
export * from './envelope';
export * from './catalogue';
export * from './frames';
export * from './backoff';
export * from './control-plane';
export * from './approvals';
export * from './own-keys';
