import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createLogStream } from './log-stream.js';
import { captureOutput } from './test-output.js';

describe('createLogStream', () => {
  it('pads every prefix to the longest known name', () => {
    const out = captureOutput();
    const log = createLogStream({ out: out.stream, colour: false, names: ['api', 'worker-1'] });
    log.line('api', 'listening');
    log.line('worker-1', 'ready');
    expect(out.lines()).toEqual(['api      │ listening', 'worker-1 │ ready']);
  });

  it('joins chunks into whole lines and shows a last line without a newline when the stream ends', async () => {
    const out = captureOutput();
    const log = createLogStream({ out: out.stream, colour: false, names: ['api'] });
    const source = new PassThrough();
    log.pipe('api', source);
    source.write('first li');
    source.write('ne\r\nsecond line\n\nthird');
    expect(out.lines()).toEqual(['api │ first line', 'api │ second line']);
    source.end();
    await new Promise((resolve) => source.once('end', resolve));
    expect(out.lines()).toEqual(['api │ first line', 'api │ second line', 'api │ third']);
  });

  it('shows only the lines the filter keeps', () => {
    const out = captureOutput();
    const log = createLogStream({ out: out.stream, colour: false });
    const source = new PassThrough();
    log.pipe('redis', source, (line) => line.includes('#'));
    source.write('1:M * ready\n1:M # warning\n');
    expect(out.lines()).toEqual(['redis │ 1:M # warning']);
  });

  it('colours the prefix only when asked to', () => {
    const plain = captureOutput();
    createLogStream({ out: plain.stream, colour: false }).line('api', 'x');
    const coloured = captureOutput();
    createLogStream({ out: coloured.stream, colour: true }).line('api', 'x');
    expect(plain.text()).not.toContain('\u001b[');
    expect(coloured.text()).toContain('\u001b[36mapi');
  });

  it('reports a broken output once and stops writing to it', () => {
    let writes = 0;
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        writes += 1;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const onClosed = vi.fn();
    const log = createLogStream({ out: broken, colour: false, onClosed });
    log.line('api', 'one');
    return new Promise<void>((resolve) => {
      setImmediate(() => {
        log.line('api', 'two');
        log.line('api', 'three');
        expect(onClosed).toHaveBeenCalledTimes(1);
        expect(writes).toBe(1);
        resolve();
      });
    });
  });
});
