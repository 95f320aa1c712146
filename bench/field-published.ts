/**
 * The field benchmark's models and the published figures of other tools that docs/benchmarks.md
 * quotes beside ours (as given in the project's issue 18; each source's own hardware, not ours).
 */
export const FIELD_MODELS = [
  { name: "mlp196_digits14", label: "MLP 196-25-10" },
  { name: "mlp784_digits28", label: "MLP 784-56-10" },
  { name: "cnn_digits28", label: "CNN 6@5x5, 16@5x5, dense 10" },
  // the same CNN at the per-layer bits `zkinfer calibrate` found (npm run bench:calibrate)
  { name: "cnn_digits28", label: "CNN, calibrate's bits", settings: "settings.json" },
  { name: "lenet5_digits28", label: "LeNet-5" },
  // the real architectures (test/fixtures/real/, issue 14); those above --max-power compile and
  // are counted, their Groth16 cost printed as an estimate (split proving: npm run bench -- --suite split)
  { name: "tabular_mlp", label: "Tabular MLP (LayerNorm, SiLU)", real: true },
  { name: "cnn1d", label: "1-D CNN", real: true },
  { name: "transformer", label: "Transformer encoder layer", real: true },
  { name: "shufflenet_v2", label: "ShuffleNetV2 x0.5", real: true },
  { name: "squeezenet1_1", label: "SqueezeNet 1.1", real: true },
  { name: "mobilenet_v3_small", label: "MobileNetV3-small", real: true },
  { name: "resnet8", label: "ResNet-8", real: true },
] as const;

export interface Published {
  readonly tool: string;
  readonly source: string;
  readonly hardware: string;
  readonly model: string;
  readonly constraints?: number;
  /** proving time, seconds */
  readonly prove?: number;
  readonly setup?: number;
  readonly memoryGB?: number;
}

const GUY1M0 = "ZKML-Benchmark (Guy1m0, EF ESP FY23-1290)";
const GUY1M0_HW = "as reported by the benchmark (not restated in our issue)";
const BIONETTA = "Bionetta (R1CS + UltraGroth, weights as constants)";
const BIONETTA_HW = "16-thread Xeon E5-2665";

export const PUBLISHED: readonly Published[] = [
  {
    tool: "circomlib-ml + snarkjs",
    source: GUY1M0,
    hardware: GUY1M0_HW,
    model: "MLP 196-25-10",
    constraints: 18_075,
    prove: 1.17,
  },
  {
    tool: "circomlib-ml + snarkjs",
    source: GUY1M0,
    hardware: GUY1M0_HW,
    model: "MLP 784-56-10",
    constraints: 73_416,
    prove: 2.35,
    memoryGB: 2.3,
  },
  {
    tool: "circomlib-ml + snarkjs",
    source: GUY1M0,
    hardware: GUY1M0_HW,
    model: "CNN 6@5x5, 16@5x5, dense 10",
    constraints: 2_558_720,
    prove: 43.8,
    memoryGB: 18.7,
    setup: 24_107,
  },
  { tool: "EZKL", source: GUY1M0, hardware: GUY1M0_HW, model: "MLP 196-25-10", prove: 0.65 },
  { tool: "EZKL", source: GUY1M0, hardware: GUY1M0_HW, model: "MLP 784-56-10", prove: 2.66 },
  { tool: "EZKL", source: GUY1M0, hardware: GUY1M0_HW, model: "CNN 6@5x5, 16@5x5, dense 10", prove: 0.156 },
  { tool: "zkml", source: GUY1M0, hardware: GUY1M0_HW, model: "MLP 196-25-10", prove: 21.0 },
  { tool: "zkml", source: GUY1M0, hardware: GUY1M0_HW, model: "MLP 784-56-10", prove: 21.7 },
  { tool: "zkml", source: GUY1M0, hardware: GUY1M0_HW, model: "CNN 6@5x5, 16@5x5, dense 10", prove: 15.2 },
  {
    tool: "Bionetta",
    source: BIONETTA,
    hardware: BIONETTA_HW,
    model: "MNIST MLP (6k ReLUs)",
    constraints: 250_000,
    prove: 3.05,
  },
  { tool: "Bionetta", source: BIONETTA, hardware: BIONETTA_HW, model: "LeNet-5", constraints: 260_000, prove: 3.75 },
  {
    tool: "Bionetta",
    source: BIONETTA,
    hardware: BIONETTA_HW,
    model: "ResNet-18",
    constraints: 1_160_000,
    prove: 14.1,
  },
  {
    tool: "Bionetta",
    source: BIONETTA,
    hardware: BIONETTA_HW,
    model: "MobileNetV2",
    constraints: 2_780_000,
    prove: 24.5,
  },
];
