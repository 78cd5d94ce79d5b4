import { describe, expect, it } from 'vitest';
import { SluiceError, sluiceErrorFrom } from './sluice-error.js';

describe('sluiceErrorFrom', () => {
  it('carries every field of the api’s problem document, and the document itself', () => {
    const problem = {
      type: 'https://sluice.dev/problems/invalid-task',
      title: 'The task is not valid',
      status: 422,
      detail: '1 field is not valid; nothing was enqueued.',
      errors: [{ pointer: '/payload/to', message: 'must be an email address' }],
    };
    const error = sluiceErrorFrom(422, 'Unprocessable Entity', JSON.stringify(problem));
    expect(error).toBeInstanceOf(SluiceError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'SluiceError',
      status: 422,
      type: problem.type,
      title: problem.title,
      detail: problem.detail,
      errors: problem.errors,
      problem,
      message: '422 The task is not valid: 1 field is not valid; nothing was enqueued.',
    });
  });

  it('has no field errors when the document lists none', () => {
    const error = sluiceErrorFrom(503, '', '{"type":"https://sluice.dev/problems/queue-full","title":"Queue full"}');
    expect(error.errors).toEqual([]);
    expect(error.detail).toBe('');
    expect(error.message).toBe('503 Queue full');
  });

  it('keeps the status of an answer that is not JSON, quoting its body as the detail', () => {
    const error = sluiceErrorFrom(502, 'Bad Gateway', '<html><body>upstream down</body></html>\n');
    expect(error).toMatchObject({
      status: 502,
      type: 'about:blank',
      title: 'Bad Gateway',
      detail: '<html><body>upstream down</body></html>',
      errors: [],
      problem: undefined,
    });
  });

  it('names the status when there is neither a body nor a status text (HTTP/2 has none)', () => {
    expect(sluiceErrorFrom(504, '', '')).toMatchObject({ status: 504, title: 'HTTP 504', detail: '' });
  });

  it('quotes at most 500 characters of a long body', () => {
    expect(sluiceErrorFrom(500, 'Internal Server Error', 'x'.repeat(10_000)).detail).toHaveLength(500);
  });

  it('leaves out what is malformed in a document rather than failing on it', () => {
    const error = sluiceErrorFrom(
      422,
      'Unprocessable Entity',
      JSON.stringify({ type: 7, errors: [{ pointer: '/a', message: 'bad' }, { pointer: 1 }, 'x'] }),
    );
    expect(error).toMatchObject({ type: 'about:blank', title: 'Unprocessable Entity', detail: '' });
    expect(error.errors).toEqual([{ pointer: '/a', message: 'bad' }]);
  });

  it('does not take a JSON body that is not an object for a document', () => {
    expect(sluiceErrorFrom(500, 'Internal Server Error', '[1,2]')).toMatchObject({
      problem: undefined,
      detail: '[1,2]',
    });
  });
});
