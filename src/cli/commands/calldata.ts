import { readJsonFile } from "../../util/fsx.js";
import { parse, positional, str, type Options } from "../args.js";
import type { Command } from "../command.js";

const options: Options = { proof: { type: "string" }, public: { type: "string" } };

export const calldata: Command = {
  name: "calldata",
  summary: "print a proof as the arguments of the Solidity verifier's verifyProof",
  usage: `zkinfer calldata DIR [--proof proof.json] [--public public.json]

  Prints the four verifyProof arguments as snarkjs does (\`snarkjs zkey export
  soliditycalldata\`): ["0x..","0x.."],[["0x..","0x.."],[..]],["0x..","0x.."],[...].
  --proof FILE     default DIR/proof.json
  --public FILE    default DIR/public.json
  --json           print {"a": [..], "b": [[..],[..]], "c": [..], "input": [..]} (decimal strings)`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "calldata");
    const dir = positional(p, 0, "the circuit directory", "calldata");
    const [{ artifact }, { parseProof, parsePublic }, { solidityCalldata }] = await Promise.all([
      import("../../artifacts.js"),
      import("../../verify/core.js"),
      import("../../verify/solidity.js"),
    ]);
    const proofFile = str(p, "proof") ?? artifact(dir, "proof");
    const publicFile = str(p, "public") ?? artifact(dir, "public");
    const proof = parseProof(await readJsonFile(proofFile, "proof"), proofFile);
    const pub = parsePublic(await readJsonFile(publicFile, "public signals"), publicFile);
    const { text, args } = await solidityCalldata(proof, pub);
    out.result(args);
    out.line(text);
    return 0;
  },
};
