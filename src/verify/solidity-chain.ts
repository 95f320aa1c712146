/**
 * The Ethereum verifier of a split model: one Solidity file holding one snarkjs Groth16
 * verifier per segment (`ZkinferSegment<i>Verifier`, snarkjs's template unchanged but for its
 * name, each with its segment's key) and `ZkinferChainVerifier`, whose
 *
 *   verifyChain(uint[2][K] a, uint[2][2][K] b, uint[2][K] c, uint[T] signals) returns (bool)
 *
 * takes every segment's proof and the chain's public signals laid out as P/public.json's
 * `signals` (segment after segment), and returns true only if each segment's output
 * commitment equals the next one's input commitment and each segment's proof verifies under
 * its own embedded key on its own slice of the signals: what `zkinfer verify` checks on a split
 * directory (verify/chain.ts), with the split's identity fixed by the keys the contract holds.
 * It never reverts on a bad proof: a broken link, a changed signal, a proof swapped for another
 * segment's, a signal at or above the field modulus are all `false`.
 *
 * Why one contract per segment: each stays the audited snarkjs code and under the EVM's 24,576
 * byte limit on a contract's code, however many segments there are; the chain contract calls
 * them (a call costs ~2,600 gas beside a ~200,000 gas pairing check). By default its
 * constructor creates them, so one transaction deploys the whole verifier; its creation code
 * then carries every segment's, which the EVM caps at 49,152 bytes (EIP-3860): about 20
 * segments of few public signals. `separate` makes a chain contract that takes the addresses
 * of segment verifiers deployed one by one instead, for chains past that.
 */
import type { Groth16Proof, VerificationKey } from "snarkjs";
import type { ModelMeta } from "../meta/model.js";
import type { SplitManifest } from "../meta/split.js";
import { verificationKeySha256 } from "../meta/identity.js";
import { ZkError } from "../errors.js";
import type { ParsedChain } from "./chain.js";
import { groth16Contract, solidityCalldata, type Calldata } from "./solidity.js";

export const CHAIN_CONTRACT = "ZkinferChainVerifier";
export const segmentContract = (i: number): string => `ZkinferSegment${i}Verifier`;

/** Each segment's key and model.json, in chain order (as verify/chain.ts takes them). */
export interface ChainContractSegment {
  readonly meta: Pick<ModelMeta, "publicSignals">;
  readonly vk: VerificationKey;
}

export interface ChainContractOptions {
  /** the chain contract takes deployed segment verifiers' addresses instead of creating them */
  readonly separate?: boolean;
  /** names the key files in errors (default segments/<i>/verification_key.json) */
  readonly vkFiles?: readonly string[];
}

/** Where each segment's public signals start in the chain's flat list. */
function offsets(segs: readonly ChainContractSegment[]): number[] {
  return segs.map((_s, i) => segs.slice(0, i).reduce((a, s) => a + s.meta.publicSignals.count, 0));
}

/** EIP-3860: the most creation code one deployment may carry. */
export const MAX_CREATION_BYTES = 49_152;

/**
 * An upper estimate of the one-transaction chain contract's creation code (solc 0.8 with the
 * optimizer, measured: a segment verifier ≈ 1,290 bytes + 94 per public signal, the chain
 * contract ≈ 700 + 450 per segment), so `export-verifier` can say when to use `separate`.
 */
export function estimatedCreationBytes(segs: readonly Pick<ChainContractSegment, "meta">[]): number {
  return 1_000 + segs.reduce((a, s) => a + 1_900 + 100 * s.meta.publicSignals.count, 0);
}

/** The solidity signature of verifyChain for this chain, as solc's methodIdentifiers spell it. */
export function verifyChainSignature(segments: number, signals: number): string {
  return `verifyChain(uint256[2][${segments}],uint256[2][2][${segments}],uint256[2][${segments}],uint256[${signals}])`;
}

/** The keys must be the ones setup recorded (a contract with any other key verifies another relation), the offsets in range. */
async function checkSegments(m: SplitManifest, segs: readonly ChainContractSegment[], files: readonly string[]) {
  if (segs.length !== m.segments.length)
    throw new Error(`solidityChainVerifier: ${segs.length} segments given for a split of ${m.segments.length}`);
  for (const [i, s] of segs.entries()) {
    const want = m.segments[i]!.verificationKeySha256;
    if (!want)
      throw new ZkError(
        "BAD_FILE",
        `the manifest records no key for segment ${i}: run \`zkinfer setup\` on the split model`,
      );
    const got = await verificationKeySha256(s.vk);
    if (got !== want)
      throw new ZkError(
        "BAD_FILE",
        `${files[i]}: its sha256 is ${got.slice(0, 16)}…, the manifest records ${want.slice(0, 16)}… for segment ${i}: set up again`,
      );
    // the manifest's offsets become array indices in the contract: they must index this segment's signals
    for (const k of ["chainIn", "chainOut"] as const) {
      const at = m.segments[i]![k];
      if (at !== null && !(Number.isInteger(at) && at >= 0 && at < s.meta.publicSignals.count))
        throw new ZkError(
          "BAD_FILE",
          `the manifest's segment ${i} ${k} is ${at}, not one of the segment's ${s.meta.publicSignals.count} public signals`,
        );
    }
    if (s.vk.nPublic !== s.meta.publicSignals.count)
      throw new ZkError(
        "BAD_FILE",
        `${files[i]} has ${s.vk.nPublic} public signals, segment ${i}'s model.json ${s.meta.publicSignals.count}`,
      );
  }
}

/** Names from the model (its file, its tensors) go into `//` comments: a line break there would end the comment and inject code. */
const commentSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, "?");

/** A comment line per public tensor: where a dApp finds the model's output in `signals`. */
function signalMap(m: SplitManifest, segs: readonly ChainContractSegment[]): string[] {
  const at = offsets(segs);
  return segs.flatMap((s, i) =>
    s.meta.publicSignals.layout.map((e) => {
      const from = at[i]! + e.offset;
      const where = e.count === 1 ? `signals[${from}]` : `signals[${from}..${from + e.count - 1}]`;
      const seg = m.segments[i]!;
      const link =
        seg.chainOut === e.offset
          ? ` (must equal segment ${i + 1}'s input commitment)`
          : seg.chainIn === e.offset
            ? ` (segment ${i - 1}'s output commitment)`
            : "";
      const what = e.role.endsWith("_hash") ? "a Poseidon commitment" : `${e.count} values, each v / 2^${e.scale}`;
      return `//   ${where.padEnd(18)} segment ${i} ${commentSafe(String(e.role))} "${commentSafe(e.name)}": ${what}${link}`;
    }),
  );
}

/** verifyChain: the links first (cheap, and a broken one needs no pairing), then each segment's proof. */
function chainContract(m: SplitManifest, segs: readonly ChainContractSegment[], separate: boolean): string {
  const k = segs.length;
  const at = offsets(segs);
  const total = at[k - 1]! + segs[k - 1]!.meta.publicSignals.count;
  const links = m.segments.slice(0, -1).map((s, i) => {
    const out = at[i]! + s.chainOut!;
    const into = at[i + 1]! + m.segments[i + 1]!.chainIn!;
    return `        if (signals[${out}] != signals[${into}]) return false; // segment ${i}'s output commitment is segment ${i + 1}'s input commitment`;
  });
  const checks = segs.map((s, i) => {
    const n = s.meta.publicSignals.count;
    return [
      `        {`,
      `            uint[${n}] memory s${i};`,
      `            for (uint j = 0; j < ${n}; j++) s${i}[j] = signals[${at[i]} + j];`,
      `            if (!segment${i}.verifyProof(a[${i}], b[${i}], c[${i}], s${i})) return false;`,
      `        }`,
    ].join("\n");
  });
  const fields = segs.map((_s, i) => `    ${segmentContract(i)} public immutable segment${i};`);
  const constructor = separate
    ? [
        `    /// @param verifiers the deployed ${segmentContract(0)} … ${segmentContract(k - 1)}, in chain order`,
        `    constructor(address[${k}] memory verifiers) {`,
        ...segs.map((_s, i) => `        segment${i} = ${segmentContract(i)}(verifiers[${i}]);`),
        `    }`,
      ]
    : [`    constructor() {`, ...segs.map((_s, i) => `        segment${i} = new ${segmentContract(i)}();`), `    }`];
  return [
    `contract ${CHAIN_CONTRACT} {`,
    `    /// the split model's id (manifest.json's splitId): which chain of circuits this contract verifies`,
    `    bytes32 public constant SPLIT_ID = 0x${m.splitId};`,
    ``,
    ...fields,
    ``,
    ...constructor,
    ``,
    `    /// @notice true iff every segment's proof verifies under its key and every link holds`,
    `    /// @param signals every segment's public signals, end to end (P/public.json's "signals")`,
    `    function verifyChain(`,
    `        uint[2][${k}] calldata a,`,
    `        uint[2][2][${k}] calldata b,`,
    `        uint[2][${k}] calldata c,`,
    `        uint[${total}] calldata signals`,
    `    ) external view returns (bool) {`,
    ...links,
    ...checks,
    `        return true;`,
    `    }`,
    `}`,
    ``,
  ].join("\n");
}

/** The Solidity file verifying this split model's chains (see the header); the keys are checked against the manifest. */
export async function solidityChainVerifier(
  m: SplitManifest,
  segs: readonly ChainContractSegment[],
  opts: ChainContractOptions = {},
): Promise<string> {
  const files = opts.vkFiles ?? m.segments.map((s) => `${s.dir}/verification_key.json`);
  await checkSegments(m, segs, files);
  const parts = segs.map((s, i) => groth16Contract(s.vk, segmentContract(i)));
  const dev = segs.some((s) => (s.vk as { zkinfer?: { development?: boolean } }).zkinfer?.development);
  const total = segs.reduce((a, s) => a + s.meta.publicSignals.count, 0);
  const about = [
    `// zkinfer: the verifier of split model ${commentSafe(m.model.file)} (split id ${m.splitId}), ${segs.length} segments.`,
    `// ${CHAIN_CONTRACT}.verifyChain(a, b, c, signals) checks every segment's Groth16 proof under`,
    `// its own key (${segmentContract(0)} … ${segmentContract(segs.length - 1)}: snarkjs's verifier, one per segment)`,
    `// and that each segment's output commitment is the next one's input commitment.`,
    opts.separate
      ? `// Deploy: each segment verifier, then ${CHAIN_CONTRACT} with their addresses in chain order.`
      : `// Deploy: ${CHAIN_CONTRACT} alone (its constructor creates the segment verifiers).`,
    `// \`zkinfer calldata DIR --proof P/proof.json --public P/public.json\` prints the arguments.`,
    `// The ${total} signals (a value v >= p/2 stands for v - p, p the BN254 scalar field's modulus):`,
    ...signalMap(m, segs),
    ...(dev
      ? [`// WARNING: development-only keys: anyone who ran that setup can forge proofs. Never deploy for real use.`]
      : []),
    ``,
  ];
  const [first] = parts;
  // the licence notice and pragma once, at the top, as solc wants one SPDX line per file
  return [
    first!.preamble.trimEnd(),
    ``,
    ...about,
    ...parts.map((p) => p.contract.trimEnd() + "\n"),
    chainContract(m, segs, Boolean(opts.separate)),
  ].join("\n");
}

/** verifyChain's arguments, as decimal strings: segment i's proof at index i of a, b and c. */
export interface ChainCalldata {
  readonly a: Calldata["a"][];
  readonly b: Calldata["b"][];
  readonly c: Calldata["c"][];
  readonly input: string[];
}

const hex = (d: string) => `0x${BigInt(d).toString(16).padStart(64, "0")}`;

/** The verifyChain arguments for a parsed chain (verify/chain.ts parseChain); `text` in snarkjs's hex style. */
export async function solidityChainCalldata(chain: ParsedChain): Promise<{ text: string; args: ChainCalldata }> {
  const each = await Promise.all(
    chain.proofs.map(async (p: Groth16Proof, i) => (await solidityCalldata(p, [...chain.signals[i]!])).args),
  );
  const args: ChainCalldata = {
    a: each.map((x) => x.a),
    b: each.map((x) => x.b),
    c: each.map((x) => x.c),
    input: chain.signals.flat(),
  };
  const h = (v: unknown): unknown => (typeof v === "string" ? hex(v) : (v as unknown[]).map(h));
  const text = [args.a, args.b, args.c, args.input].map((v) => JSON.stringify(h(v))).join(",");
  return { text, args };
}
