import { readJsonFile, writeFilesAtomic } from "../../util/fsx.js";
import { ZkError } from "../../errors.js";
import { parse, positional, str, type Options, type Parsed } from "../args.js";
import type { Command } from "../command.js";
import type { Out } from "../output.js";

const options: Options = {
  out: { type: "string", short: "o" },
  vkey: { type: "string" },
  separate: { type: "boolean" },
};

const DEV_WARNING = "the verification key is from a development-only setup: do not deploy this contract for real use";

async function singleCircuit(dir: string, p: Parsed, file: string, out: Out): Promise<void> {
  if (p.values.separate)
    throw new ZkError("BAD_OPTION", "export-verifier: --separate is for a split model's directory");
  const [{ artifact }, { parseVkey }, { solidityVerifier }] = await Promise.all([
    import("../../artifacts.js"),
    import("../../verify/core.js"),
    import("../../verify/solidity.js"),
  ]);
  const vkFile = str(p, "vkey") ?? artifact(dir, "vkey");
  const vk = parseVkey(await readJsonFile(vkFile, "verification key (run `zkinfer setup` first)"), vkFile);
  await writeFilesAtomic([[file, solidityVerifier(vk)]]);
  out.result({ contract: file, publicSignals: vk.nPublic });
  out.line(`wrote ${file}: contract Groth16Verifier, verifyProof(uint[2], uint[2][2], uint[2], uint[${vk.nPublic}])`);
  if ((vk as { zkinfer?: { development?: boolean } }).zkinfer?.development) out.warn(DEV_WARNING);
}

async function splitModel(dir: string, p: Parsed, file: string, out: Out): Promise<void> {
  if (str(p, "vkey"))
    throw new ZkError(
      "BAD_OPTION",
      "export-verifier: --vkey is for one circuit; a split model's keys are its segments'",
    );
  const [{ artifact, readSplitManifest, segmentPath }, { readChainSegments }, chain] = await Promise.all([
    import("../../artifacts.js"),
    import("../../verify/verify.js"),
    import("../../verify/solidity-chain.js"),
  ]);
  const m = await readSplitManifest(dir);
  const segs = await readChainSegments(dir, m);
  const separate = Boolean(p.values.separate);
  const vkFiles = m.segments.map((_s, i) => artifact(segmentPath(dir, m, i), "vkey"));
  await writeFilesAtomic([[file, await chain.solidityChainVerifier(m, segs, { separate, vkFiles })]]);
  const signals = segs.reduce((a, s) => a + s.vk.nPublic, 0);
  const signature = chain.verifyChainSignature(segs.length, signals);
  out.result({ contract: file, segments: segs.length, publicSignals: signals, verifyChain: signature, separate });
  out.line(`wrote ${file}: contract ${chain.CHAIN_CONTRACT} (${segs.length} segment verifiers), ${signature}`);
  out.line(
    separate
      ? `deploy ${chain.segmentContract(0)} … ${chain.segmentContract(segs.length - 1)}, then ${chain.CHAIN_CONTRACT} with their addresses`
      : `deploy ${chain.CHAIN_CONTRACT} alone: its constructor creates the segment verifiers`,
  );
  const bytes = chain.estimatedCreationBytes(segs);
  if (!separate && bytes > chain.MAX_CREATION_BYTES)
    out.warn(
      `${chain.CHAIN_CONTRACT}'s creation code is about ${bytes} bytes, past the ${chain.MAX_CREATION_BYTES} one deployment may carry (EIP-3860): export with --separate`,
    );
  if (segs.some((s) => (s.vk as { zkinfer?: { development?: boolean } }).zkinfer?.development)) out.warn(DEV_WARNING);
}

export const exportVerifier: Command = {
  name: "export-verifier",
  summary: "write a Solidity contract that verifies this circuit's proofs (or a split model's chains) on Ethereum",
  usage: `zkinfer export-verifier DIR [-o Verifier.sol] [--vkey verification_key.json] [--separate]

  Renders snarkjs's Groth16 verifier template (contract Groth16Verifier) with the circuit's
  verification key: the same contract \`snarkjs zkey export solidityverifier\` writes.
  Call verifyProof(a, b, c, publicSignals); \`zkinfer calldata\` prints the arguments.
  On a split model's directory: one file with snarkjs's verifier for each segment's key
  (ZkinferSegment<i>Verifier) and contract ZkinferChainVerifier, whose
  verifyChain(a[K], b[K], c[K], signals) checks every segment's proof and every link of the
  chain; signals are P/public.json's "signals". Its constructor creates the segment verifiers,
  so one transaction deploys it (up to about 20 segments: EIP-3860's 49,152 bytes of creation code).
  --out, -o FILE   default DIR/Verifier.sol
  --vkey FILE      default DIR/verification_key.json (one circuit only)
  --separate       split model: the chain contract takes the addresses of segment verifiers
                   deployed one by one (for chains too long for one deployment)
  --json           print {"contract": file, "publicSignals": n} (split: also segments, verifyChain)`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "export-verifier");
    const dir = positional(p, 0, "the circuit directory", "export-verifier");
    const { isSplitDir } = await import("../../artifacts.js");
    const file = str(p, "out") ?? `${dir}/Verifier.sol`;
    await ((await isSplitDir(dir)) ? splitModel : singleCircuit)(dir, p, file, out);
    return 0;
  },
};
