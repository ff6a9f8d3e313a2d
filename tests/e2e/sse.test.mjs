// The UI's text/event-stream parser (web/sse.js) on the ways a stream can be
// cut into network reads: mid-line, mid-CRLF, several events per read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SSEParser } from '../../web/sse.js';

function parse(pieces) {
  const events = [];
  const p = new SSEParser((e) => events.push(e));
  for (const piece of pieces) p.push(piece);
  p.end();
  return events;
}

const STREAM = 'event: meta\ndata: {"conversation_id":"c_1"}\n\n'
  + ': keep-alive\n\n'
  + 'event: token\ndata: {"text":"27 "}\n\n'
  + 'event: token\ndata: {"text":"days"}\n\n'
  + 'event: done\ndata: {"message_id":"m_1"}\n\n';
const EXPECTED = [
  { event: 'meta', data: '{"conversation_id":"c_1"}' },
  { event: 'token', data: '{"text":"27 "}' },
  { event: 'token', data: '{"text":"days"}' },
  { event: 'done', data: '{"message_id":"m_1"}' },
];

test('a whole stream in one read', () => {
  assert.deepEqual(parse([STREAM]), EXPECTED);
});

test('every possible split into two reads, and one character per read', () => {
  for (let i = 1; i < STREAM.length; i++) assert.deepEqual(parse([STREAM.slice(0, i), STREAM.slice(i)]), EXPECTED, `split at ${i}`);
  assert.deepEqual(parse([...STREAM]), EXPECTED);
});

test('CRLF and CR line endings, split between CR and LF', () => {
  const crlf = STREAM.replaceAll('\n', '\r\n');
  for (let i = 1; i < crlf.length; i++) assert.deepEqual(parse([crlf.slice(0, i), crlf.slice(i)]), EXPECTED, `split at ${i}`);
  assert.deepEqual(parse([STREAM.replaceAll('\n', '\r')]), EXPECTED);
});

test('multi-line data, no space after the colon, default event name, last event without blank line', () => {
  assert.deepEqual(parse(['data:a\ndata: b\n\nevent: x\ndata: c']), [
    { event: 'message', data: 'a\nb' },
    { event: 'x', data: 'c' },
  ]);
});

test('an event with no data is not dispatched', () => {
  assert.deepEqual(parse(['event: ping\n\n']), []);
});
