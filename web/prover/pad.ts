/**
 * An 8×8 drawing pad for the digits models (inputs in [0, 1], as sklearn's digits divided by
 * 16): drawing raises a cell to 1 and its neighbours part way, like a soft pen.
 */
export class DigitPad {
  readonly values = new Float64Array(64);
  private drawing = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onChange: () => void,
  ) {
    canvas.addEventListener("pointerdown", (e) => {
      this.drawing = true;
      canvas.setPointerCapture(e.pointerId);
      this.paint(e);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (this.drawing) this.paint(e);
    });
    const stop = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.onChange();
    };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    this.render();
  }

  set(values: readonly number[]): void {
    this.values.set(values.slice(0, 64));
    this.render();
    this.onChange();
  }

  clear(): void {
    this.set(new Array<number>(64).fill(0));
  }

  private paint(e: PointerEvent): void {
    const r = this.canvas.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * 8,
      y = ((e.clientY - r.top) / r.height) * 8;
    for (let cy = 0; cy < 8; cy++) {
      for (let cx = 0; cx < 8; cx++) {
        const d = Math.hypot(cx + 0.5 - x, cy + 0.5 - y);
        const ink = d < 0.6 ? 1 : d < 1.2 ? 0.5 : 0;
        const i = cy * 8 + cx;
        this.values[i] = Math.min(1, Math.max(this.values[i]!, ink));
      }
    }
    this.render();
  }

  private render(): void {
    const g = this.canvas.getContext("2d");
    if (!g) return;
    const s = this.canvas.width / 8;
    for (let i = 0; i < 64; i++) {
      const v = Math.round(255 * (1 - this.values[i]!));
      g.fillStyle = `rgb(${v},${v},${v})`;
      g.fillRect((i % 8) * s, Math.floor(i / 8) * s, s, s);
    }
  }
}
