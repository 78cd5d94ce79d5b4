import { describe, expect, it } from 'vitest';
import { interpolate } from './compose-interpolation.js';

describe('interpolate', () => {
  it('takes the default of ${VAR:-default} when the variable is unset or empty', () => {
    expect(interpolate('${PASSWORD:-sluice}', {})).toBe('sluice');
    expect(interpolate('${PASSWORD:-sluice}', { PASSWORD: '' })).toBe('sluice');
    expect(interpolate('${PASSWORD:-sluice}', { PASSWORD: 's3cret' })).toBe('s3cret');
  });

  it('keeps an empty value for ${VAR-default} and only defaults an unset one', () => {
    expect(interpolate('[${A-x}]', { A: '' })).toBe('[]');
    expect(interpolate('[${A-x}]', {})).toBe('[x]');
  });

  it('replaces $VAR and ${VAR} inside longer text, unset ones with nothing', () => {
    expect(interpolate('postgres://u:${P}@$HOST:5432/db', { P: 'p', HOST: 'pg' })).toBe('postgres://u:p@pg:5432/db');
    expect(interpolate('a${MISSING}b', {})).toBe('ab');
  });

  it('reads $$ as a literal dollar sign', () => {
    expect(interpolate('cost: $$5 and $${NOT_A_VAR}', {})).toBe('cost: $5 and ${NOT_A_VAR}');
  });

  it('expands variables inside a default', () => {
    expect(interpolate('${A:-${B:-b}-tail}', {})).toBe('b-tail');
  });

  it('fails on a required variable that is missing, with its message', () => {
    expect(() => interpolate('${TOKEN:?set TOKEN in .env}', {})).toThrow('TOKEN is required: set TOKEN in .env');
    expect(interpolate('${TOKEN:?set it}', { TOKEN: 't' })).toBe('t');
  });

  it('gives the alternative of ${VAR:+alt} only when the variable is set', () => {
    expect(interpolate('${DEBUG:+--verbose}', { DEBUG: '1' })).toBe('--verbose');
    expect(interpolate('${DEBUG:+--verbose}', {})).toBe('');
  });

  it('refuses an unclosed ${', () => {
    expect(() => interpolate('${OOPS', {})).toThrow(/unclosed/);
  });
});
