import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envBoolean, envInt, envList, loadCommonConfig, parseEnv } from './index.js';

describe('parseEnv', () => {
  it('applies defaults when variables are unset or empty', () => {
    const cfg = loadCommonConfig({ KAFKA_BROKERS: '' });
    expect(cfg.KAFKA_BROKERS).toEqual(['127.0.0.1:19092']);
    expect(cfg.REDIS_URL).toBe('redis://127.0.0.1:16379');
    expect(cfg.CLICKHOUSE_URL).toBeUndefined();
    expect(cfg.PROBITY_TOPIC_PARTITIONS).toBe(3);
  });

  it('coerces typed values', () => {
    const cfg = parseEnv({ N: envInt(1, 1, 10), B: envBoolean(false), L: envList('a') }, { N: '7', B: 'yes', L: 'x, y,,z' });
    expect(cfg).toEqual({ N: 7, B: true, L: ['x', 'y', 'z'] });
  });

  it('names every bad variable with the value it saw', () => {
    let caught: unknown;
    try {
      parseEnv({ PORT: envInt(80, 1, 65535), MODE: z.enum(['a', 'b']) }, { PORT: '99999', MODE: 'c' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const err = caught as ConfigError;
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('PORT');
    expect(err.message).toContain('"99999"');
    expect(err.message).toContain('MODE');
    expect(err.details).toEqual({ variables: ['PORT', 'MODE'] });
  });
});
