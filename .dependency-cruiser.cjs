/**
 * The import graph's shape, checked in CI (infra/test.sh): pure packages stay
 * pure, packages never reach into services, nothing is circular. Violations
 * recorded in .dependency-cruiser-known-violations.json are known debt to
 * pay down (issue: the CLI still imports services); any new one fails.
 */
const PURE = '^packages/(crypto|schema|stats|evidence|catalog|compliance|errors)/';
const IO_PACKAGES = '^packages/(kafka|warehouse|evidence-store|keystore|agent|cli|config|logger)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and packages impossible to split.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-packages-do-no-io',
      severity: 'error',
      comment: 'crypto, schema, stats, evidence, catalog, compliance and errors are pure: no Kafka, warehouse, files of keys, config or logging.',
      from: { path: PURE },
      to: { path: IO_PACKAGES },
    },
    {
      name: 'packages-never-import-services',
      severity: 'error',
      comment: 'Services are processes that wire packages; a package that imports one inverts the layering.',
      from: { path: '^packages/' },
      to: { path: '^services/' },
    },
    {
      name: 'no-deep-imports-across-packages',
      severity: 'error',
      comment: 'Another package is used through its src/index.ts only.',
      from: { path: '^(packages|services)/([^/]+)/' },
      to: { path: '^(packages|services)/([^/]+)/src/(?!index\\.ts$)', pathNot: '^$1/$2/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
