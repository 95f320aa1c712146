// zkinfer's stages, bottom to top: a module may import from its own stage and the ones below,
// never from one above (data flows one way: import → quantize → compile → witness → prove →
// verify, with the shared formats underneath and the faces on top). `npm test` runs this.
// (That the browser module reaches no Node API is checked by type-checking web/ without Node's types.)
const STAGES = [
  ["base", "^src/(errors|version|field)\\.ts$|^src/(util|types)/"],
  ["meta", "^src/meta/"],
  ["formats", "^src/formats/"],
  ["model", "^src/model/"],
  ["quantize", "^src/quantize/"],
  ["circuit", "^src/circuit/"],
  ["artifacts", "^src/artifacts\\.ts$"],
  ["witness", "^src/witness/"],
  ["prove", "^src/prove/"],
  ["verify", "^src/verify/"],
  ["export", "^src/export/"],
  ["service", "^src/service/"],
  ["faces", "^src/(cli/|index\\.ts$)"],
];

const upward = STAGES.flatMap(([name, path], i) => {
  const above = STAGES.slice(i + 1)
    .map(([, p]) => `(${p})`)
    .join("|");
  return above
    ? [
        {
          name: `${name}-imports-upward`,
          severity: "error",
          comment: `${name} may not import a later stage`,
          from: { path },
          to: { path: above },
        },
      ]
    : [];
});

module.exports = {
  forbidden: [
    ...upward,
    {
      name: "no-circular",
      severity: "error",
      comment: "no import cycles, type-only ones included",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
    exclude: { path: "^src/types/" },
  },
};
