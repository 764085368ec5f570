import { describe, expect, it } from 'vitest';
import { renderAsOfBanner, withAsOfBanner } from './as-of-banner.js';

const moment = { position: 1234, instant: new Date('2026-12-05T10:00:00Z') };

describe('the as_of banner', () => {
  it('says which moment is shown and links back to now, escaped', () => {
    expect(renderAsOfBanner(moment, 'report.html?package=a&b="c"').value).toBe(
      '<p class="as-of" role="status">History as of <time datetime="2026-12-05T10:00:00.000Z">2026-12-05T10:00:00.000Z</time> ' +
        '(position 1234) — <a href="report.html?package=a&amp;b=&#34;c&#34;">back to now</a></p>',
    );
  });

  it('goes first in the main content, else first in the body, else first', () => {
    const banner = renderAsOfBanner(moment, 'x.html').value;
    expect(withAsOfBanner('<body><nav></nav><main class="m"><h1>T</h1></main></body>', moment, 'x.html')).toBe(
      `<body><nav></nav><main class="m">\n    ${banner}<h1>T</h1></main></body>`,
    );
    expect(withAsOfBanner('<html><body><h1>T</h1></body></html>', moment, 'x.html')).toBe(
      `<html><body>\n    ${banner}<h1>T</h1></body></html>`,
    );
    expect(withAsOfBanner('<h1>T</h1>', moment, 'x.html')).toBe(`${banner}\n<h1>T</h1>`);
  });
});
