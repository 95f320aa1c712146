import { readJsonFile, writeFilesAtomic } from "../../util/fsx.js";
import { parse, positional, str, type Options } from "../args.js";
import type { Command } from "../command.js";

const options: Options = { out: { type: "string", short: "o" }, vkey: { type: "string" } };

export const exportVerifier: Command = {
  name: "export-verifier",
  summary: "write a Solidity contract that verifies this circuit's proofs on Ethereum",
  usage: `zkinfer export-verifier DIR [-o Verifier.sol] [--vkey verification_key.json]

  Renders snarkjs's Groth16 verifier template (contract Groth16Verifier) with the circuit's
  verification key: the same contract \`snarkjs zkey export solidityverifier\` writes.
  Call verifyProof(a, b, c, publicSignals); \`zkinfer calldata\` prints the arguments.
  --out, -o FILE   default DIR/Verifier.sol
  --vkey FILE      default DIR/verification_key.json
  --json           print {"contract": file, "publicSignals": n}`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "export-verifier");
    const dir = positional(p, 0, "the circuit directory", "export-verifier");
    const [{ artifact }, { parseVkey }, { solidityVerifier }] = await Promise.all([
      import("../../artifacts.js"),
      import("../../verify/core.js"),
      import("../../verify/solidity.js"),
    ]);
    const vkFile = str(p, "vkey") ?? artifact(dir, "vkey");
    const vk = parseVkey(await readJsonFile(vkFile, "verification key (run `zkinfer setup` first)"), vkFile);
    const file = str(p, "out") ?? `${dir}/Verifier.sol`;
    await writeFilesAtomic([[file, solidityVerifier(vk)]]);
    out.result({ contract: file, publicSignals: vk.nPublic });
    out.line(`wrote ${file}: contract Groth16Verifier, verifyProof(uint[2], uint[2][2], uint[2], uint[${vk.nPublic}])`);
    if ((vk as { zkinfer?: { development?: boolean } }).zkinfer?.development)
      out.warn("the verification key is from a development-only setup: do not deploy this contract for real use");
    return 0;
  },
};
