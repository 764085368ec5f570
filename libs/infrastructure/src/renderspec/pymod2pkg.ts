/**
 * pymod2pkg's `module2package(mod, 'fedora', py_vers=…)` (openstack/pymod2pkg, RDO_PKG_MAP):
 * the distribution package name of a Python module, as renderspec's `py2pkg`/`py2name`/`py3`
 * print it with `--spec-style fedora`. The rules are tried in order; `re.match` anchors at the
 * start only, as Python's does.
 */
type Names = readonly [pkg: string, py2pkg: string, py3pkg: string];
type Rule = (mod: string) => Names | null;

const single =
  (mod: string, pkg: string, py3pkg?: string): Rule =>
  (m) =>
    m === mod ? [pkg, pkg, py3pkg ?? pkg] : null;
const multi =
  (mods: readonly string[], fn: (mod: string) => Names): Rule =>
  (m) =>
    mods.includes(m) ? fn(m) : null;
const regex =
  (pattern: RegExp, fn: (mod: string) => Names): Rule =>
  (m) =>
    pattern.test(m) ? fn(m) : null;

/** pymod2pkg's default_rdo_tr. */
function defaultRdo(mod: string): Names {
  let pkg = mod.split('-python')[0]!;
  pkg = pkg.replaceAll('_', '-').replaceAll('.', '-').toLowerCase();
  if (!pkg.startsWith('python-')) pkg = `python-${pkg}`;
  return [pkg, pkg, pkg.replaceAll('python', 'python3')];
}

const openstackPrefix = (mod: string): Names => {
  const pkg = `openstack-${mod.toLowerCase()}`;
  return [pkg, pkg, pkg];
};

const SERVICES = [
  'Tempest',
  'aodh',
  'barbican',
  'ceilometer',
  'cinder',
  'cloudkitty',
  'cyborg',
  'designate',
  'ec2-api',
  'freezer',
  'freezer-api',
  'freezer-dr',
  'glance',
  'heat',
  'heat-templates',
  'ironic',
  'ironic-discoverd',
  'ironic-inspector',
  'ironic-python-agent',
  'keystone',
  'magnum',
  'manila',
  'masakari',
  'masakari-monitors',
  'mistral',
  'monasca-agent',
  'monasca-api',
  'monasca-ceilometer',
  'monasca-log-api',
  'monasca-notification',
  'monasca-persister',
  'monasca-transform',
  'murano',
  'neutron',
  'neutron-fwaas',
  'neutron-lbaas',
  'neutron-vpnaas',
  'nova',
  'octavia',
  'placement',
  'rally',
  'sahara',
  'swift',
  'tempest',
  'tripleo-common',
  'trove',
  'tuskar',
  'vitrage',
  'watcher',
  'zaqar',
  'zun',
];

const RDO_RULES: readonly Rule[] = [
  single('ansible', 'ansible'),
  single('ansible-runner', 'python-ansible-runner', 'python3-ansible-runner'),
  single('APScheduler', 'python-APScheduler', 'python3-APScheduler'),
  single('Babel', 'python-babel', 'python3-babel'),
  single('bandit', 'bandit'),
  single('distribute', 'python-setuptools', 'python3-setuptools'),
  single('dnspython', 'python-dns', 'python3-dns'),
  single('google-api-python-client', 'python-google-api-client', 'python3-google-api-client'),
  single('GitPython', 'GitPython', 'python3-GitPython'),
  single('heat-agents', 'openstack-heat-agents', 'openstack-heat-agents'),
  single('IPy', 'python-IPy', 'python-IPy-python3'),
  single('pycrypto', 'python-crypto', 'python3-crypto'),
  single('pyzmq', 'python-zmq', 'python3-zmq'),
  single('mysql-python', 'MySQL-python', 'python3-mysql'),
  single('PyMySQL', 'python-PyMySQL', 'python3-PyMySQL'),
  single('PyJWT', 'python-jwt', 'python3-jwt'),
  single('MySQL-python', 'MySQL-python', 'python3-mysql'),
  single('PasteDeploy', 'python-paste-deploy', 'python3-paste-deploy'),
  single('sqlalchemy-migrate', 'python-migrate', 'python3-migrate'),
  single('qpid-python', 'python-qpid'),
  single('nosexcover', 'python-nose-xcover', 'python3-nose-xcover'),
  single('posix_ipc', 'python-posix_ipc', 'python3-posix_ipc'),
  single('prometheus-client', 'python-prometheus_client', 'python3-prometheus_client'),
  single('sysv_ipc', 'python-sysv_ipc', 'python3-sysv_ipc'),
  single('oslosphinx', 'python-oslo-sphinx', 'python3-oslo-sphinx'),
  single('ovs', 'python-openvswitch', 'python3-openvswitch'),
  single('psycopg2-binary', 'python-psycopg2', 'python3-psycopg2'),
  single('pyinotify', 'python-inotify', 'python3-inotify'),
  single('pyScss', 'python-scss', 'python3-scss'),
  single('tripleo-incubator', 'openstack-tripleo'),
  single('pika-pool', 'python-pika_pool', 'python3-pika_pool'),
  single('suds-community', 'python-suds', 'python3-suds'),
  single('suds-jurko', 'python-suds', 'python3-suds'),
  single('supervisor', 'supervisor', 'python3-supervisor'),
  single('wsgi_intercept', 'python-wsgi_intercept', 'python3-wsgi_intercept'),
  single('Sphinx', 'python-sphinx', 'python3-sphinx'),
  single('sphinx_rtd_theme', 'python-sphinx_rtd_theme', 'python3-sphinx_rtd_theme'),
  single('xattr', 'pyxattr', 'python3-pyxattr'),
  single('XStatic-term.js', 'python-XStatic-termjs', 'python3-XStatic-termjs'),
  single('heat-cfntools', 'heat-cfntools'),
  single('horizon', 'openstack-dashboard'),
  single('openstack-placement', 'openstack-placement'),
  single('networking-vsphere', 'openstack-neutron-vsphere'),
  single('networking-l2gw', 'openstack-neutron-l2gw'),
  single('neutron-dynamic-routing', 'openstack-neutron-dynamic-routing'),
  single('m2crypto', 'm2crypto'),
  single('libvirt-python', 'python-libvirt', 'python3-libvirt'),
  single('tempest-horizon', 'python-horizon-tests-tempest'),
  single('rtslib-fb', 'python-rtslib', 'python3-rtslib'),
  single('PyYAML', 'python-pyyaml', 'python3-pyyaml'),
  single('pyOpenSSL', 'python-pyOpenSSL', 'python3-pyOpenSSL'),
  single('semantic_version', 'python-semantic_version', 'python3-semantic_version'),
  single('semantic-version', 'python-semantic_version', 'python3-semantic_version'),
  single('sphinxcontrib-svg2pdfconverter', 'python-sphinxcontrib-rsvgconverter', 'python3-sphinxcontrib-rsvgconverter'),
  single('systemd-python', 'python-systemd', 'python3-systemd'),
  multi(['dib-utils', 'diskimage-builder'], (m) => [m, m, m]),
  multi(
    [
      'numpy',
      'pyflakes',
      'pylint',
      'graphviz',
      'instack-undercloud',
      'os-apply-config',
      'os-collect-config',
      'os-net-config',
      'os-refresh-config',
      'pexpect',
      'watchdog',
      'pystache',
      'pysendfile',
    ],
    (m) => [m, m, `python3-${m}`],
  ),
  multi(SERVICES, openstackPrefix),
  // XStatic projects: python-<name>, no lower-casing
  regex(/^XStatic/, (m) => {
    const mod = m.replaceAll('_', '-').replaceAll('.', '-');
    return [`python-${mod}`, `python-${mod}`, `python3-${mod}`];
  }),
  // Horizon plugins, normalised to openstack-<project>-ui
  regex(/^(neutron-)?\w+-(dashboard|ui)/, (m) => {
    const pkg = `openstack-${m.replaceAll('dashboard', 'ui')}`;
    return [pkg, pkg, pkg];
  }),
  // Tempest plugins, normalised to python-<project>-tests-tempest
  regex(/^\w+-tempest-plugin/, (m) => {
    const mod = m.replaceAll('tempest-plugin', 'tests-tempest');
    return [`python-${mod}`, `python-${mod}`, `python3-${mod}`];
  }),
];

export type PyVersion = 'py' | 'py2' | 'py3';

/** One name per requested Python flavour (pymod2pkg returns a bare string for one; callers join). */
export function module2package(mod: string, pyVersions: readonly string[] = ['py']): string[] {
  let names: Names | null = null;
  for (const rule of RDO_RULES) {
    names = rule(mod);
    if (names) break;
  }
  const found = names ?? defaultRdo(mod);
  return pyVersions.map((v) => {
    if (v === 'py') return found[0];
    if (v === 'py2') return found[1];
    if (v === 'py3') return found[2];
    throw new Error(`Invalid version "${v}"`);
  });
}
