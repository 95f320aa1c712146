/**
 * A real EVM in-process (@ethereumjs/vm): compile Solidity with solc (npm, no download),
 * deploy, and call by signed transactions so the gas figures are what a chain would charge
 * (vm.evm.runCall keeps addresses warm between calls and under-reports).
 */
import { createRequire } from "node:module";
import { createVM, runTx, type VM } from "@ethereumjs/vm";
import { createLegacyTx } from "@ethereumjs/tx";
import { Account, type Address, createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";

const require = createRequire(import.meta.url);

export interface Compiled {
  /** creation code, hex */
  readonly bytecode: string;
  /** bytes of the deployed (runtime) code, which EIP-170 caps at 24,576 */
  readonly runtimeBytes: number;
  readonly selectors: Record<string, string>;
  readonly warnings: string[];
}

export function compileSolidity(source: string, contract: string): Compiled {
  const c = compileSolidityAll(source)[contract];
  if (!c) throw new Error(`solc produced no contract ${contract}`);
  return c;
}

/** Every contract of one source file, by name. */
export function compileSolidityAll(source: string): Record<string, Compiled> {
  const solc = require("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: { "C.sol": { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: {
        "*": { "*": ["evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers"] },
      },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<
      string,
      Record<
        string,
        {
          evm: {
            bytecode: { object: string };
            deployedBytecode: { object: string };
            methodIdentifiers: Record<string, string>;
          };
        }
      >
    >;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(`solc: ${errors.map((e) => e.formattedMessage).join("\n")}`);
  const warnings = (out.errors ?? []).map((e) => e.formattedMessage);
  return Object.fromEntries(
    Object.entries(out.contracts?.["C.sol"] ?? {}).map(([name, c]) => [
      name,
      {
        bytecode: c.evm.bytecode.object,
        runtimeBytes: c.evm.deployedBytecode.object.length / 2,
        selectors: c.evm.methodIdentifiers,
        warnings,
      },
    ]),
  );
}

export interface Chain {
  deploy(bytecode: string): Promise<{ address: Address; gas: bigint }>;
  call(to: Address, data: Uint8Array): Promise<{ ret: Uint8Array; gas: bigint; reverted: boolean }>;
}

export async function chain(): Promise<Chain> {
  const vm: VM = await createVM();
  const key = hexToBytes(`0x${"42".repeat(32)}`);
  const from = createAddressFromPrivateKey(key);
  await vm.stateManager.putAccount(from, new Account(0n, 10n ** 21n));
  let nonce = 0n;
  const send = async (to: Address | undefined, data: Uint8Array) => {
    const tx = createLegacyTx({ nonce: nonce++, gasPrice: 10n, gasLimit: 10_000_000n, to, data }).sign(key);
    return runTx(vm, { tx, skipBlockGasLimitValidation: true });
  };
  return {
    async deploy(bytecode) {
      const r = await send(undefined, hexToBytes(`0x${bytecode}`));
      if (r.execResult.exceptionError || !r.createdAddress)
        throw new Error(`deployment failed: ${r.execResult.exceptionError?.error}`);
      return { address: r.createdAddress, gas: r.totalGasSpent };
    },
    async call(to, data) {
      const r = await send(to, data);
      return { ret: r.execResult.returnValue, gas: r.totalGasSpent, reverted: Boolean(r.execResult.exceptionError) };
    },
  };
}

/** ABI encoding of static uint arguments: the selector, then one 32-byte word per number. */
export function encodeCall(selector: string, words: readonly (string | bigint)[]): Uint8Array {
  const hex = words.map((w) => BigInt(w).toString(16).padStart(64, "0")).join("");
  return hexToBytes(`0x${selector}${hex}`);
}
