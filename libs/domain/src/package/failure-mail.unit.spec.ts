import { describe, expect, it } from 'vitest';
import { escape, failureMail } from './failure-mail.js';

describe("the failure mail (DLRN §8.1's template)", () => {
  const base = {
    packageName: 'python-foo',
    maintainers: ['a@example.org', 'b@example.org'],
    upstreamUrl: 'https://git.example.org/foo',
    logUrl: 'https://trunk.example.org/repos/ab/cd/abcd_1234/rpmbuild.log',
    distgitUrl: 'https://git.example.org/foo-distgit',
  };

  it('comes from no-reply@delorean.com to the maintainers, To: packagers, with the subject and body line for line', () => {
    const mail = failureMail(base);
    expect(mail.from).toBe('no-reply@delorean.com');
    expect(mail.recipients).toEqual(['a@example.org', 'b@example.org']);
    expect(mail.toHeader).toBe('packagers');
    expect(mail.subject).toBe('[dlrn] python-foo master package build failed');
    expect(mail.text).toBe(
      [
        'A build of the package python-foo has failed against the current master[1] of',
        'the upstream project, please see log[2] and update the packaging[3].',
        '',
        'You are receiving this email because you are listed as one of the',
        'maintainers for the python-foo.',
        '',
        '[1] - https://git.example.org/foo',
        '[2] - https://trunk.example.org/repos/ab/cd/abcd_1234/rpmbuild.log',
        '[3] - https://git.example.org/foo-distgit',
        '',
      ].join('\n'),
    );
  });

  it('with culprit lines puts them right after the first paragraph', () => {
    const mail = failureMail({ ...base, culpritLines: ['', 'Culprit: abc123 by Jane'] });
    expect(mail.text.split('\n').slice(1, 5)).toEqual([
      'the upstream project, please see log[2] and update the packaging[3].',
      '',
      'Culprit: abc123 by Jane',
      '',
    ]);
  });

  it('escapes the name and URLs in the body as the autoescaped template does, not in the subject', () => {
    const mail = failureMail({ ...base, packageName: 'a<b>&"c\'', logUrl: 'https://x/?a=1&b=<2>' });
    expect(mail.subject).toBe('[dlrn] a<b>&"c\' master package build failed');
    expect(mail.text).toContain('the package a&lt;b&gt;&amp;&#34;c&#39; has failed');
    expect(mail.text).toContain('maintainers for the a&lt;b&gt;&amp;&#34;c&#39;.');
    expect(mail.text).toContain('[2] - https://x/?a=1&amp;b=&lt;2&gt;');
  });

  it('escape replaces every occurrence, & first so nothing is escaped twice', () => {
    expect(escape('&&<<>>\'\'""')).toBe('&amp;&amp;&lt;&lt;&gt;&gt;&#39;&#39;&#34;&#34;');
    expect(escape('&lt;')).toBe('&amp;lt;');
    expect(escape('plain text')).toBe('plain text');
  });
});
