import { describe, expect, it } from 'vitest';
import { CliError } from '../src/cli-error';
import { envNameOf, isLoopbackHost, parseServeArgs, SERVE_FLAGS } from '../src/serve/serve-options';

type Env = Record<string, string | undefined>;

describe('serve flags and environment → ServerConfig', () => {
  it.each<[string, string[], Env, ReturnType<typeof parseServeArgs>]>([
    ['nothing given leaves every default to the server', [], {}, { config: {}, demo: false }],
    ['--port and --host', ['--port', '0', '--host', 'localhost'], {}, { config: { port: 0, host: 'localhost' }, demo: false }],
    ['--data sets dataDir', ['--data', '/tmp/sb'], {}, { config: { dataDir: '/tmp/sb' }, demo: false }],
    ['seconds stay seconds', ['--idle-timeout', '2.5', '--git-interval', '10'], {}, { config: { idleTimeoutSeconds: 2.5, gitIntervalSeconds: 10 }, demo: false }],
    ['--max-queue-bytes', ['--max-queue-bytes', '65536'], {}, { config: { maxQueueBytes: 65536 }, demo: false }],
    ['--allowed-origins is split, trimmed and normalised', ['--allowed-origins', 'https://a.example.com, http://b.test:3000/,'], {}, {
      config: { allowedOrigins: ['https://a.example.com', 'http://b.test:3000'] }, demo: false,
    }],
    ['--allowed-hosts is split, trimmed and lower-cased', ['--allowed-hosts', 'Switchboard.Example.com, .corp.test,10.0.0.5,*'], {}, {
      config: { allowedHosts: ['switchboard.example.com', '.corp.test', '10.0.0.5', '*'] }, demo: false,
    }],
    ['--demo and --insecure are switches', ['--demo', '--insecure'], {}, { config: { insecure: true }, demo: true }],
    ['--redis and --node-id', ['--redis', 'redis://127.0.0.1:6379', '--node-id', 'a'], {}, { config: { redisUrl: 'redis://127.0.0.1:6379', nodeId: 'a' }, demo: false }],
    ['--token', ['--token', 's3cret'], {}, { config: { token: 's3cret' }, demo: false }],
    ['rate limits', ['--rate-limit', '50', '--rate-burst', '80', '--connect-rate', '2.5', '--connect-burst', '10'], {}, {
      config: { rateLimitPerSecond: 50, rateLimitBurst: 80, connectRatePerSecond: 2.5, connectBurst: 10 }, demo: false,
    }],
    ['--log-level and --metrics-port', ['--log-level', 'WARN', '--metrics-port', '9100'], {}, { config: { logLevel: 'warn', metricsPort: 9100 }, demo: false }],
    ['a rate of 0 turns the limit off', ['--rate-limit', '0', '--connect-rate', '0'], {}, { config: { rateLimitPerSecond: 0, connectRatePerSecond: 0 }, demo: false }],
    ['--jwt-public-key and --no-legacy-tokens', ['--jwt-public-key', '/etc/auth.pem', '--no-legacy-tokens'], {}, {
      config: { jwtPublicKeyFile: '/etc/auth.pem', legacyTokens: false }, demo: false,
    }],
    ['SWITCHBOARD_LEGACY_TOKENS=false refuses sb1 tokens; true leaves them on', [], { SWITCHBOARD_LEGACY_TOKENS: 'false' }, { config: { legacyTokens: false }, demo: false }],
    ['SWITCHBOARD_LEGACY_TOKENS=true', [], { SWITCHBOARD_LEGACY_TOKENS: 'true' }, { config: { legacyTokens: true }, demo: false }],
    ['a non-loopback host is fine with a JWT public key', ['--host', '0.0.0.0', '--jwt-public-key', 'k.pem'], {}, { config: { host: '0.0.0.0', jwtPublicKeyFile: 'k.pem' }, demo: false }],
    ['every flag has an environment variable', [], {
      SWITCHBOARD_HOST: '::1', SWITCHBOARD_PORT: '9000', SWITCHBOARD_DATA: 'd', SWITCHBOARD_TOKEN: 't', SWITCHBOARD_DEMO: '1',
      SWITCHBOARD_IDLE_TIMEOUT: '5', SWITCHBOARD_MAX_QUEUE_BYTES: '2048', SWITCHBOARD_GIT_INTERVAL: '60',
      SWITCHBOARD_ALLOWED_ORIGINS: 'http://x.test', SWITCHBOARD_INSECURE: 'true', SWITCHBOARD_REDIS: 'rediss://r:6380',
      SWITCHBOARD_NODE_ID: 'node-b', SWITCHBOARD_RATE_LIMIT: '300', SWITCHBOARD_RATE_BURST: '600', SWITCHBOARD_CONNECT_RATE: '20',
      SWITCHBOARD_CONNECT_BURST: '40', SWITCHBOARD_ALLOWED_HOSTS: 'sb.test', SWITCHBOARD_LOG_LEVEL: 'debug', SWITCHBOARD_METRICS_PORT: '0',
      SWITCHBOARD_LOG_MAX_BYTES: '4096', SWITCHBOARD_LOG_MAX_FILES: '2', SWITCHBOARD_MESSAGE_RETENTION: '30m',
    }, {
      config: {
        host: '::1', port: 9000, dataDir: 'd', token: 't', idleTimeoutSeconds: 5, maxQueueBytes: 2048, gitIntervalSeconds: 60,
        allowedOrigins: ['http://x.test'], insecure: true, redisUrl: 'rediss://r:6380', nodeId: 'node-b', allowedHosts: ['sb.test'],
        rateLimitPerSecond: 300, rateLimitBurst: 600, connectRatePerSecond: 20, connectBurst: 40, logLevel: 'debug', metricsPort: 0,
        logMaxBytes: 4096, logMaxFiles: 2, messageRetention: { maxAgeSeconds: 1800 },
      },
      demo: true,
    }],
    ['--log-max-bytes and --log-max-files', ['--log-max-bytes', '1048576', '--log-max-files', '5'], {}, { config: { logMaxBytes: 1048576, logMaxFiles: 5 }, demo: false }],
    ['0 turns rotation off and keeps no rotated file', ['--log-max-bytes', '0', '--log-max-files', '0'], {}, { config: { logMaxBytes: 0, logMaxFiles: 0 }, demo: false }],
    ['--message-retention as an age', ['--message-retention', '7d'], {}, { config: { messageRetention: { maxAgeSeconds: 604800 } }, demo: false }],
    ['--message-retention as a count', ['--message-retention', '10000'], {}, { config: { messageRetention: { maxCount: 10000 } }, demo: false }],
    ['--message-retention as both, either order', ['--message-retention', '500, 12h'], {}, { config: { messageRetention: { maxAgeSeconds: 43200, maxCount: 500 } }, demo: false }],
    ['--message-retention off keeps every payload', ['--message-retention', 'off'], {}, { config: { messageRetention: {} }, demo: false }],
    ['a flag wins over its environment variable', ['--port', '7000'], { SWITCHBOARD_PORT: '9000' }, { config: { port: 7000 }, demo: false }],
    ['an empty environment variable counts as unset', [], { SWITCHBOARD_PORT: '', SWITCHBOARD_TOKEN: '' }, { config: {}, demo: false }],
    ['boolean variables read 0/false/no/off as false', [], { SWITCHBOARD_DEMO: 'off', SWITCHBOARD_INSECURE: '0' }, { config: { insecure: false }, demo: false }],
    ['a non-loopback host is fine with a token', ['--host', '0.0.0.0', '--token', 't'], {}, { config: { host: '0.0.0.0', token: 't' }, demo: false }],
    ['a non-loopback host is fine with --insecure', ['--host', '0.0.0.0', '--insecure'], {}, { config: { host: '0.0.0.0', insecure: true }, demo: false }],
    ['a non-loopback host takes the token from the environment', ['--host', '10.0.0.5'], { SWITCHBOARD_TOKEN: 't' }, { config: { host: '10.0.0.5', token: 't' }, demo: false }],
  ])('%s', (_name, args, env, expected) => {
    expect(parseServeArgs(args, env)).toEqual(expected);
  });

  it.each<[string, string[], Env, RegExp]>([
    ['a port that is not a number', ['--port', 'abc'], {}, /invalid --port "abc": expected an integer from 0 to 65535/],
    ['a port out of range', ['--port', '70000'], {}, /--port "70000"/],
    ['a negative port', ['--port=-1'], {}, /--port "-1"/],
    ['a bad port from the environment names the variable', [], { SWITCHBOARD_PORT: '8k' }, /invalid SWITCHBOARD_PORT "8k"/],
    ['zero idle timeout', ['--idle-timeout', '0'], {}, /--idle-timeout "0": expected a positive number of seconds/],
    ['idle timeout with a unit', ['--idle-timeout', '90s'], {}, /--idle-timeout "90s"/],
    ['fractional queue bytes', ['--max-queue-bytes', '1.5'], {}, /--max-queue-bytes "1.5": expected a positive integer/],
    ['git interval negative', [], { SWITCHBOARD_GIT_INTERVAL: '-3' }, /SWITCHBOARD_GIT_INTERVAL "-3"/],
    ['an origin with a path', ['--allowed-origins', 'https://a.test/app'], {}, /invalid origin "https:\/\/a.test\/app"/],
    ['an origin without a scheme', ['--allowed-origins', 'a.test'], {}, /invalid origin "a.test"/],
    ['a host with a scheme', ['--allowed-hosts', 'https://sb.test'], {}, /invalid host "https:\/\/sb.test" in --allowed-hosts/],
    ['a host with a port', ['--allowed-hosts', 'sb.test:8000'], {}, /invalid host "sb.test:8000"/],
    ['a redis URL of another scheme', ['--redis', 'http://r:6379'], {}, /redis:\/\/ or rediss:\/\//],
    ['a node id with spaces', ['--node-id', 'node a'], {}, /--node-id "node a"/],
    ['a negative rate limit', ['--rate-limit=-1'], {}, /--rate-limit "-1": expected a number per second, 0 to turn the limit off/],
    ['a rate limit with a unit', [], { SWITCHBOARD_CONNECT_RATE: '10/s' }, /SWITCHBOARD_CONNECT_RATE "10\/s"/],
    ['a burst of 0', ['--rate-burst', '0'], {}, /--rate-burst "0": expected a positive integer/],
    ['a fractional burst', ['--connect-burst', '2.5'], {}, /--connect-burst "2.5"/],
    ['an unknown log level', ['--log-level', 'loud'], {}, /invalid --log-level "loud": expected fatal, error, warn, info, debug, trace, silent/],
    ['a metrics port out of range', [], { SWITCHBOARD_METRICS_PORT: '99999' }, /SWITCHBOARD_METRICS_PORT "99999"/],
    ['a log size with a unit', ['--log-max-bytes', '10M'], {}, /--log-max-bytes "10M": expected a number of bytes, 0 to turn rotation off/],
    ['a negative file count', ['--log-max-files=-1'], {}, /--log-max-files "-1": expected a whole number of files/],
    ['a retention with an unknown unit', ['--message-retention', '7w'], {}, /--message-retention "7w": expected an age like 7d/],
    ['a retention with two ages', [], { SWITCHBOARD_MESSAGE_RETENTION: '7d,12h' }, /SWITCHBOARD_MESSAGE_RETENTION "7d,12h"/],
    ['a retention age of 0', ['--message-retention', '0d'], {}, /--message-retention "0d"/],
    ['a boolean variable that is not a boolean', [], { SWITCHBOARD_DEMO: 'maybe' }, /SWITCHBOARD_DEMO "maybe": expected true or false/],
    ['an unknown flag', ['--prot', '1'], {}, /unknown option '--prot'/],
    ['a flag without its value', ['--port'], {}, /argument missing/],
    ['a non-loopback host without a token', ['--host', '0.0.0.0'], {}, /refusing to listen on 0.0.0.0 without a token.*--insecure/],
    ['a LAN address without a token', [], { SWITCHBOARD_HOST: '192.168.1.10' }, /refusing to listen on 192.168.1.10/],
    ['--insecure=false from the environment keeps the refusal', ['--host', '0.0.0.0'], { SWITCHBOARD_INSECURE: 'false' }, /refusing/],
  ])('rejects %s with a usage error (exit 2)', (_name, args, env, message) => {
    let error: unknown;
    try {
      parseServeArgs(args, env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message).toMatch(message);
  });

  it('names each variable SWITCHBOARD_ + the flag in upper snake case', () => {
    expect(SERVE_FLAGS.map(envNameOf)).toEqual([
      'SWITCHBOARD_HOST', 'SWITCHBOARD_PORT', 'SWITCHBOARD_DATA', 'SWITCHBOARD_TOKEN', 'SWITCHBOARD_JWT_PUBLIC_KEY', 'SWITCHBOARD_LEGACY_TOKENS', 'SWITCHBOARD_DEMO',
      'SWITCHBOARD_IDLE_TIMEOUT', 'SWITCHBOARD_MAX_QUEUE_BYTES', 'SWITCHBOARD_GIT_INTERVAL', 'SWITCHBOARD_ALLOWED_ORIGINS', 'SWITCHBOARD_ALLOWED_HOSTS',
      'SWITCHBOARD_INSECURE', 'SWITCHBOARD_REDIS', 'SWITCHBOARD_NODE_ID', 'SWITCHBOARD_RATE_LIMIT', 'SWITCHBOARD_RATE_BURST',
      'SWITCHBOARD_CONNECT_RATE', 'SWITCHBOARD_CONNECT_BURST', 'SWITCHBOARD_LOG_LEVEL', 'SWITCHBOARD_METRICS_PORT',
      'SWITCHBOARD_LOG_MAX_BYTES', 'SWITCHBOARD_LOG_MAX_FILES', 'SWITCHBOARD_MESSAGE_RETENTION',
    ]);
  });

  it.each([
    ['127.0.0.1', true], ['127.1.2.3', true], ['localhost', true], ['::1', true], ['[::1]', true], ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false], ['::', false], ['192.168.1.10', false], ['example.com', false], ['127.0.0.1.nip.io', false],
  ])('treats %s as loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
