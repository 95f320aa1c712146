/** The output chart both pages draw (styles in base.css). */

/** A horizontal bar per output value, scaled to the largest magnitude; the argmax highlighted. */
export function renderChart(chart: HTMLElement, values: readonly number[], top: number): void {
  const scale = Math.max(1e-9, ...values.map(Math.abs));
  const hasNegative = values.some((v) => v < 0);
  chart.replaceChildren(
    ...values.slice(0, 64).map((v, i) => {
      const row = document.createElement("div");
      row.className = i === top ? "bar top" : "bar";
      const label = document.createElement("span");
      label.textContent = String(i);
      const track = document.createElement("span");
      track.className = "track";
      const fill = document.createElement("span");
      fill.className = "fill";
      // with negative values the axis sits in the middle
      const w = (Math.abs(v) / scale) * (hasNegative ? 50 : 100);
      const left = hasNegative ? (v < 0 ? 50 - w : 50) : 0;
      fill.style.left = `${left}%`;
      fill.style.width = `${w}%`;
      track.append(fill);
      const value = document.createElement("span");
      value.className = "value";
      value.textContent = v.toFixed(3);
      row.append(label, track, value);
      return row;
    }),
  );
}
