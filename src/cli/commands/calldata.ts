import { readJsonFile } from "../../util/fsx.js";
import { parse, positional, str, type Options } from "../args.js";
import type { Command } from "../command.js";
import type { Out } from "../output.js";

const options: Options = { proof: { type: "string" }, public: { type: "string" } };

async function singleCircuit(proofFile: string, publicFile: string, out: Out): Promise<void> {
  const [{ parseProof, parsePublic }, { solidityCalldata }] = await Promise.all([
    import("../../verify/core.js"),
    import("../../verify/solidity.js"),
  ]);
  const proof = parseProof(await readJsonFile(proofFile, "proof"), proofFile);
  const pub = parsePublic(await readJsonFile(publicFile, "public signals"), publicFile);
  const { text, args } = await solidityCalldata(proof, pub);
  out.result(args);
  out.line(text);
}

/** The chain's files pass the checks `zkinfer verify` makes before any pairing (verify/chain.ts parseChain). */
async function splitModel(dir: string, proofFile: string, publicFile: string, out: Out): Promise<void> {
  const [{ readModelMeta, readSplitManifest, segmentPath }, { parseChain }, { solidityChainCalldata }] =
    await Promise.all([
      import("../../artifacts.js"),
      import("../../verify/chain.js"),
      import("../../verify/solidity-chain.js"),
    ]);
  const m = await readSplitManifest(dir);
  const metas = await Promise.all(m.segments.map((_s, i) => readModelMeta(segmentPath(dir, m, i))));
  const chain = parseChain(
    m,
    metas,
    await readJsonFile(proofFile, "proof"),
    await readJsonFile(publicFile, "public signals"),
    { proof: proofFile, public: publicFile },
  );
  const { text, args } = await solidityChainCalldata(chain);
  out.result(args);
  out.line(text);
}

export const calldata: Command = {
  name: "calldata",
  summary: "print a proof as the arguments of the Solidity verifier's verifyProof (a split model's: verifyChain)",
  usage: `zkinfer calldata DIR [--proof proof.json] [--public public.json]

  Prints the four verifyProof arguments as snarkjs does (\`snarkjs zkey export
  soliditycalldata\`): ["0x..","0x.."],[["0x..","0x.."],[..]],["0x..","0x.."],[...].
  On a split model's directory, with the chain's proof.json and public.json: the four
  arguments of ZkinferChainVerifier.verifyChain (export-verifier), segment i's proof at index i
  of a, b and c, and every segment's public signals end to end.
  --proof FILE     default DIR/proof.json
  --public FILE    default DIR/public.json
  --json           print {"a": [..], "b": [[..],[..]], "c": [..], "input": [..]} (decimal strings;
                   split model: a, b and c hold one entry per segment)`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "calldata");
    const dir = positional(p, 0, "the circuit directory", "calldata");
    const { artifact, isSplitDir } = await import("../../artifacts.js");
    const proofFile = str(p, "proof") ?? artifact(dir, "proof");
    const publicFile = str(p, "public") ?? artifact(dir, "public");
    if (await isSplitDir(dir)) await splitModel(dir, proofFile, publicFile, out);
    else await singleCircuit(proofFile, publicFile, out);
    return 0;
  },
};
