import { strict as assert } from 'node:assert';
import { compareKeys, decodeNextToken, encodeNextToken, itemsAfter, pageAfter, pageByKey, paginate } from '../src/api/pagination.js';
import { isApiError } from '../src/api/errors.js';

function isCode(code: string, message?: string): (e: unknown) => boolean {
  return (e) => isApiError(e) && e.code === code && e.status === 400 && (message === undefined || e.message === message);
}

describe('NextToken', () => {
  it('round-trips state for the same operation', () => {
    const token = encodeNextToken({ offset: 10, after: 'mi-0a' }, 'DescribeInstanceInformation');
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeNextToken(token, 'DescribeInstanceInformation'), { offset: 10, after: 'mi-0a' });
  });

  it('treats a missing or empty token as the first page', () => {
    assert.equal(decodeNextToken(undefined, 'ListDocuments'), undefined);
    assert.equal(decodeNextToken('', 'ListDocuments'), undefined);
  });

  it('refuses a token issued for another operation', () => {
    const token = encodeNextToken({ offset: 10 }, 'ListDocuments');
    assert.throws(() => decodeNextToken(token, 'ListCommands'), isCode('InvalidNextToken', 'The specified token is not valid.'));
  });

  const malformed: [string, string][] = [
    ['not base64url', 'abc+/='],
    ['not JSON', Buffer.from('not json').toString('base64url')],
    ['JSON but not an object', Buffer.from('[1,2]').toString('base64url')],
    ['an object without state', Buffer.from('{"op":"ListDocuments"}').toString('base64url')],
    ['state that is not an object', Buffer.from('{"op":"ListDocuments","s":5}').toString('base64url')],
  ];
  for (const [name, token] of malformed) {
    it(`refuses a token that is ${name}`, () => {
      assert.throws(() => decodeNextToken(token, 'ListDocuments'), isCode('InvalidNextToken'));
    });
  }
});

describe('paginate', () => {
  const items = Array.from({ length: 23 }, (_, i) => i);
  const opts = { operation: 'ListDocuments', defaultMax: 10, min: 5, max: 50 };

  it('walks all pages with the default page size', () => {
    const seen: number[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const r = paginate(items, { ...opts, nextToken });
      seen.push(...r.page);
      nextToken = r.nextToken;
      pages++;
    } while (nextToken !== undefined);
    assert.deepEqual(seen, items);
    assert.equal(pages, 3);
  });

  it('honours MaxResults and lets it change between pages', () => {
    const first = paginate(items, { ...opts, maxResults: 20 });
    assert.deepEqual(first.page, items.slice(0, 20));
    const second = paginate(items, { ...opts, maxResults: 5, nextToken: first.nextToken });
    assert.deepEqual(second.page, [20, 21, 22]);
    assert.equal(second.nextToken, undefined);
  });

  it('gives no token when the last page is exactly full', () => {
    assert.equal(paginate(items.slice(0, 10), opts).nextToken, undefined);
    assert.deepEqual(paginate([], opts), { page: [] });
  });

  it('returns an empty last page when the list shrank under the token', () => {
    const { nextToken } = paginate(items, { ...opts, maxResults: 20 });
    assert.deepEqual(paginate(items.slice(0, 5), { ...opts, nextToken }), { page: [] });
  });

  it('refuses MaxResults below the minimum with AWS wording', () => {
    assert.throws(
      () => paginate(items, { ...opts, maxResults: 3 }),
      isCode(
        'ValidationException',
        "1 validation error detected: Value '3' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 5",
      ),
    );
  });

  it('refuses MaxResults above the maximum and non-integers', () => {
    assert.throws(
      () => paginate(items, { ...opts, maxResults: 51 }),
      isCode(
        'ValidationException',
        "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
      ),
    );
    assert.throws(() => paginate(items, { ...opts, maxResults: 7.5 }), isCode('ValidationException'));
  });

  it('defaults the minimum to 1', () => {
    assert.deepEqual(paginate(items, { operation: 'X', defaultMax: 10, max: 50, maxResults: 1 }).page, [0]);
    assert.throws(() => paginate(items, { operation: 'X', defaultMax: 10, max: 50, maxResults: 0 }), isCode('ValidationException'));
  });

  it('refuses tokens from another operation or with a bad offset', () => {
    const { nextToken } = paginate(items, opts);
    assert.throws(() => paginate(items, { ...opts, operation: 'ListCommands', nextToken }), isCode('InvalidNextToken'));
    for (const offset of [-1, 1.5, '3']) {
      const token = encodeNextToken({ offset }, 'ListDocuments');
      assert.throws(() => paginate(items, { ...opts, nextToken: token }), isCode('InvalidNextToken'));
    }
  });
});

describe('pageAfter', () => {
  const opts = { operation: 'ListThings', defaultMax: 3, max: 10 };
  const isAt = (state: object): state is { at: number } => Number.isInteger((state as { at?: unknown }).at);
  const compare = (item: number, position: { at: number }) => item - position.at;

  it('reads a page and one item more, and gives a token only when there is more', async () => {
    let pulled = 0;
    const from = function* (after: { at: number } | undefined) {
      for (let n = (after?.at ?? 0) + 1; n <= 100; n++) {
        pulled += 1;
        yield n;
      }
    };
    const first = await pageAfter(opts, from, (n) => ({ at: n }), isAt);
    assert.deepEqual(first.page, [1, 2, 3]);
    assert.equal(pulled, 4, 'the page and one more, not the 100');
    const second = await pageAfter({ ...opts, nextToken: first.nextToken, maxResults: 10 }, from, (n) => ({ at: n }), isAt);
    assert.deepEqual(second.page, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const sorted = [1, 2, 3, 4, 5, 6];
    const last = await pageAfter({ ...opts, nextToken: encodeNextToken({ at: 3 }, 'ListThings') }, (after) => itemsAfter(sorted, after, compare), (n) => ({ at: n }), isAt);
    assert.deepEqual(last, { page: [4, 5, 6] }, 'exactly full: no token');
  });

  it('starts after the position even when the item there is gone, and refuses a token that is no position', async () => {
    const sorted = [10, 20, 30, 40];
    assert.deepEqual(itemsAfter(sorted, { at: 25 }, compare), [30, 40]);
    assert.deepEqual(itemsAfter(sorted, { at: 40 }, compare), []);
    assert.deepEqual(itemsAfter(sorted, undefined, compare), sorted);
    await assert.rejects(pageAfter({ ...opts, nextToken: encodeNextToken({ offset: 3 }, 'ListThings') }, () => sorted, (n) => ({ at: n }), isAt), isCode('InvalidNextToken'));
    await assert.rejects(pageAfter({ ...opts, maxResults: 11 }, () => sorted, (n) => ({ at: n }), isAt), isCode('ValidationException'));
  });
});

describe('pageByKey', () => {
  const opts = { operation: 'ListThings', defaultMax: 2, max: 10 };

  it('orders keys as compareKeys does: strings by code unit, numbers by value, tuples element by element', () => {
    assert.ok(compareKeys('B', 'a') < 0, 'code-unit order, not locale order');
    assert.ok(compareKeys(9, 10) < 0, 'numbers by value, not as text');
    assert.ok(compareKeys(['2030-01-01T00:00:00.000Z', 'b'], ['2030-01-01T00:00:00.000Z', 'c']) < 0, 'a tie broken by the second element');
    assert.ok(compareKeys(['2030-01-02T00:00:00.000Z', 'a'], ['2030-01-01T00:00:00.000Z', 'z']) > 0);
    assert.equal(compareKeys([1, 'x'], [1, 'x']), 0);
  });

  it('pages by a numeric key and by a tuple, going on after the last key shown even when it is gone', async () => {
    const versions = [1, 2, 9, 10, 11];
    const first = await pageByKey(versions, (v) => v, opts);
    assert.deepEqual(first.page, [1, 2]);
    const pruned = versions.filter((v) => v !== 2 && v !== 1); // the oldest pruned between pages: an offset of 2 would skip 9 and 10
    const second = await pageByKey(pruned, (v) => v, { ...opts, nextToken: first.nextToken });
    assert.deepEqual(second.page, [9, 10]);

    const rows = [{ at: 't1', id: 'b' }, { at: 't1', id: 'c' }, { at: 't2', id: 'a' }];
    const keyOf = (row: { at: string; id: string }) => [row.at, row.id];
    const page = await pageByKey(rows, keyOf, { ...opts, maxResults: 1 });
    const next = await pageByKey([{ at: 't0', id: 'z' }, ...rows], keyOf, { ...opts, maxResults: 5, nextToken: page.nextToken });
    assert.deepEqual(next.page.map((row) => row.id), ['c', 'a'], 'an item added before the position is not shown, nor is one repeated');
  });

  it('refuses a token whose key is not a key', async () => {
    for (const k of [{ a: 1 }, [['nested']], null, Number.NaN]) {
      await assert.rejects(pageByKey(['a'], (s) => s, { ...opts, nextToken: encodeNextToken({ k }, 'ListThings') }), isCode('InvalidNextToken'));
    }
  });
});
