import { describe, expect, it } from 'vitest';
import { markup, raw } from './html.js';
import { capitalize, commitUrlPrefix, releaseOfArtifacts, utcDateTime, versionOfArtifacts } from './report-format.js';

describe('commit links (DLRN get_commit_url)', () => {
  it.each([
    ['https://git.openstack.org/openstack/nova', 'http://git.openstack.org/cgit/openstack/nova/commit/?id='],
    ['https://github.com/openstack/nova.git', 'https://github.com/openstack/nova.git/commit/'],
    ['https://opendev.org/openstack/nova', 'https://opendev.org/openstack/nova/commit/'],
    ['https://gitlab.com/libvirt/libvirt.git', 'https://gitlab.com/libvirt/libvirt/-/commit/'],
    ['https://gitlab.example.org/x/y/', 'https://gitlab.example.org/x/y/-/commit/'],
    ['https://src.fedoraproject.org/rpms/python-pbr.git', 'https://src.fedoraproject.org/rpms/python-pbr/c/'],
    ['https://pagure.io/fm-orchestrator', 'https://pagure.io/fm-orchestrator/c/'],
    ['https://codeberg.org/forgejo/forgejo.git', 'https://codeberg.org/forgejo/forgejo/commit/'],
    ['https://gitea.example.org/team/tool', 'https://gitea.example.org/team/tool/commit/'],
    ['https://git.example.org/x/y', 'https://git.example.org/x/y'],
    ['git://gitlab.com/x/y', 'git://gitlab.com/x/y'],
    ['file:///srv/git/nova', 'file:///srv/git/nova'],
    [null, ''],
  ])('%s → %s', (upstream, prefix) => {
    expect(commitUrlPrefix(upstream)).toBe(prefix);
  });
});

describe('formatting', () => {
  it('prints UTC times as DLRN does and capitalizes like Jinja', () => {
    expect(utcDateTime(1_709_294_400)).toBe('2024-03-01 12:00:00');
    expect(utcDateTime(null)).toBe('');
    expect(capitalize('centOS9')).toBe('Centos9');
    expect(capitalize(null)).toBe('None');
  });

  it("takes version and release from the source RPM name, as DLRN's report script", () => {
    const artifacts = [
      'repos/x/nova-1.0.2-0.20240301120000.abcdef1.el9.noarch.rpm',
      'repos/x/nova-1.0.2-0.20240301120000.abcdef1.el9.src.rpm',
    ];
    expect(versionOfArtifacts(artifacts)).toBe('1.0.2');
    expect(releaseOfArtifacts(artifacts)).toBe('0.20240301120000.abcdef1.el9');
    expect(versionOfArtifacts([])).toBe('');
  });

  it('escapes every interpolated value but nested markup', () => {
    expect(markup`<p title="${'"x"'}">${'<i>'}${markup`<b>${"'"}</b>`}${[1, null, '&']}${raw('<br>')}</p>`.value).toBe(
      '<p title="&#34;x&#34;">&lt;i&gt;<b>&#39;</b>1&amp;<br></p>',
    );
  });
});
