import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '#domain/shared/event.js';
import { EventLogError, GENESIS, SEAL_LENGTH, endLine, eventLine, headerLine, type LogSummary } from './log-chain.js';
import { readLog } from './log-reader.js';

function recorded(position: number, data: object = { n: position }, streamId = 'build-nova@c1_d1'): RecordedEvent {
  return {
    streamId,
    revision: position - 1,
    position,
    type: 'Noted',
    data,
    metadata: {
      schemaVersion: 1,
      eventId: `01900000-0000-7000-8000-${position.toString(16).padStart(12, '0')}`,
      occurredAt: '2026-01-01T00:00:00.000Z',
      correlationId: 'c',
      causationId: null,
      actor: 'test',
    },
    recordedAt: '2026-01-01T00:00:01.000Z',
  };
}

/** An exported log of `events` as one Buffer, and its lines (newline included). */
function logOf(events: readonly RecordedEvent[], redacted = true): { bytes: Buffer; lines: string[] } {
  const header = headerLine(redacted);
  const lines = [header.text];
  let prev = header.hash;
  for (const event of events) {
    const line = eventLine(prev, event);
    lines.push(line.text);
    prev = line.hash;
  }
  lines.push(endLine(prev, events.length, events.at(-1)?.position ?? 0).text);
  return { bytes: Buffer.from(lines.join('')), lines };
}

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function failure(bytes: Buffer, size = 64 * 1024): Promise<EventLogError> {
  try {
    await readLog(chunks(bytes, size));
  } catch (error) {
    if (error instanceof EventLogError) return error;
    throw error;
  }
  throw new Error('the log was accepted');
}

/** A line sealed by hand (a valid chain around bad content). */
function sealed(body: string): { text: string; hash: string } {
  const hash = createHash('sha256').update(body).digest('hex');
  return { text: `${body},"sha256":"${hash}"}\n`, hash };
}

describe('the exported log chain', () => {
  describe('when the log is intact', () => {
    it('verifies, whatever the chunk size, and sums itself up', async () => {
      const events = [recorded(1), recorded(2, { text: 'paquet ✓ 包 \u2028 "q"\n' }), recorded(5)];
      const { bytes, lines } = logOf(events);
      const expected: LogSummary = {
        events: 3,
        lastPosition: 5,
        lastHash: JSON.parse(lines.at(-1)!).sha256 as string,
        redacted: true,
      };
      for (const size of [1, 7, 100, bytes.length]) expect(await readLog(chunks(bytes, size))).toEqual(expected);
    });

    it('can be checked with sha256sum: each sha256 hashes its line minus the last 77 bytes, each prev is the line before', () => {
      const { lines } = logOf([recorded(1), recorded(2, { text: 'é ✓ "\\', n: 1.5, deep: [{ a: null }] })]);
      let prev = GENESIS;
      for (const line of lines) {
        const bytes = Buffer.from(line.slice(0, -1));
        const { prev: claimedPrev, sha256: claimed } = JSON.parse(line) as { prev: string; sha256: string };
        expect(claimedPrev).toBe(prev);
        expect(
          createHash('sha256')
            .update(bytes.subarray(0, bytes.length - SEAL_LENGTH))
            .digest('hex'),
        ).toBe(claimed);
        const { sha256: _, ...fields } = JSON.parse(line) as Record<string, unknown>;
        expect(line.slice(0, -(SEAL_LENGTH + 1))).toBe(JSON.stringify(fields).slice(0, -1));
        prev = claimed;
      }
    });

    it('is the same text for the same events: the end hash names the log', () => {
      const events = [recorded(1), recorded(2)];
      expect(logOf(events).bytes.equals(logOf(events).bytes)).toBe(true);
      expect(logOf(events).bytes.equals(logOf(events, false).bytes)).toBe(false);
    });

    it('verifies an empty log (a header and an end line)', async () => {
      expect(await readLog(chunks(logOf([]).bytes, 10))).toMatchObject({ events: 0, lastPosition: 0 });
    });
  });

  describe('when the log was tampered with (properties)', () => {
    const data = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 12 }), fc.integer()), {
      maxKeys: 4,
    });
    const log = fc
      .array(data, { minLength: 1, maxLength: 6 })
      .map((payloads) => logOf(payloads.map((d, i) => recorded(i * 2 + 1, d))));

    it('a changed byte fails at the line holding it', async () => {
      await fc.assert(
        fc.asyncProperty(log, fc.nat(), fc.integer({ min: 1, max: 255 }), async ({ bytes, lines }, at, delta) => {
          const offset = at % bytes.length;
          const changed = Buffer.from(bytes);
          changed[offset] = (changed[offset]! + delta) % 256;
          let line = 0;
          for (let end = 0; end <= offset; line++) end += Buffer.byteLength(lines[line]!);
          expect((await failure(changed, 13)).line).toBe(line);
        }),
      );
    });

    it('a removed line fails at its place', async () => {
      await fc.assert(
        fc.asyncProperty(log, fc.nat(), async ({ lines }, at) => {
          const k = at % lines.length;
          const removed = Buffer.from(lines.filter((_, i) => i !== k).join(''));
          expect((await failure(removed)).line).toBe(k + 1);
        }),
      );
    });

    it('two swapped lines fail at the first of them', async () => {
      await fc.assert(
        fc.asyncProperty(log, fc.nat(), async ({ lines }, at) => {
          const k = at % (lines.length - 1);
          const swapped = [...lines];
          [swapped[k], swapped[k + 1]] = [swapped[k + 1]!, swapped[k]!];
          expect((await failure(Buffer.from(swapped.join('')))).line).toBe(k + 1);
        }),
      );
    });

    it('a file cut anywhere fails at the first line it lacks or cut', async () => {
      await fc.assert(
        fc.asyncProperty(log, fc.nat(), async ({ bytes, lines }, at) => {
          const length = at % bytes.length;
          let line = 1;
          for (let end = Buffer.byteLength(lines[0]!); end <= length; line++) end += Buffer.byteLength(lines[line]!);
          expect((await failure(bytes.subarray(0, length), 17)).line).toBe(line);
        }),
      );
    });
  });

  describe('when a line is sealed but wrong', () => {
    const header = headerLine(true);
    const withLine = (body: string) => {
      const line = sealed(`{"prev":"${header.hash}",${body}`);
      return Buffer.from(header.text + line.text + endLine(line.hash, 1, 1).text);
    };
    const event = (fields: Record<string, unknown>) =>
      JSON.stringify({ position: 1, stream: 'package-nova', revision: 0, type: 'Noted', data: {}, ...fields })
        .slice(1, -1)
        .concat(`,"metadata":${JSON.stringify(recorded(1).metadata)},"recordedAt":"2026-01-01T00:00:00Z"`);

    it('names a line that is not JSON', async () => {
      const line = sealed('not json at all');
      const error = await failure(Buffer.from(header.text + line.text));
      expect(error.message).toMatch(/^line 2: not JSON/);
    });

    it('names a missing field, an unexpected one, and a bad value', async () => {
      const noStream = event({}).replace('"stream":"package-nova",', '');
      expect((await failure(withLine(noStream))).message).toBe('line 2: missing field "stream"');
      expect((await failure(withLine(`${event({})},"extra":1`))).message).toBe('line 2: unexpected field "extra"');
      expect((await failure(withLine(event({ stream: 'no dash' })))).message).toMatch(/^line 2: "stream" "no dash"/);
      expect((await failure(withLine(event({ data: [] })))).message).toBe('line 2: "data" must be a JSON object');
    });

    it('names a position that does not increase', async () => {
      const first = eventLine(header.hash, recorded(5));
      const second = eventLine(first.hash, recorded(3));
      const bytes = Buffer.from(header.text + first.text + second.text + endLine(second.hash, 2, 3).text);
      expect((await failure(bytes)).message).toBe('line 3: position 3 is not after 5: positions must increase');
    });

    it('names an end line whose counts are wrong, and a line after the end line', async () => {
      const one = eventLine(header.hash, recorded(1));
      const wrong = Buffer.from(header.text + one.text + endLine(one.hash, 2, 1).text);
      expect((await failure(wrong)).message).toBe('line 3: the end line counts 2 events, the log holds 1');
      const end = endLine(one.hash, 1, 1);
      const after = Buffer.from(header.text + one.text + end.text + eventLine(end.hash, recorded(2)).text);
      expect((await failure(after)).message).toBe('line 4: a line after the end line: nothing may follow it');
    });

    it('refuses a header of another format version, and an empty file', async () => {
      const other = sealed(`{"prev":"${GENESIS}","format":"dlrn-event-log","version":2,"redacted":true`);
      expect((await failure(Buffer.from(other.text))).message).toBe(
        'line 1: format version 2: this dlrn reads version 1',
      );
      expect((await failure(Buffer.alloc(0))).message).toBe('line 1: empty file: no header line');
    });
  });
});
