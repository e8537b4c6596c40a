// One uPlot chart of envelope lines: lr on the left axis, momentum (dashed) on the right, cycle boundaries as
// faint vertical lines, drag to zoom (the page recomputes the zoomed window), double-click to reset.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** a line as the chart draws it */
export interface ChartLine {
  label: string;
  color: string;
  axis: 'left' | 'right';
  dash?: number[];
}

export interface ChartOptions {
  el: HTMLElement;
  height: number;
  left: string;
  right?: string;
  /** the cursor group charts share */
  sync: string;
  /** a drag selected iterations [a, b] */
  onZoom(a: number, b: number): void;
  onReset(): void;
  /** the cursor is at iteration t (null: it left the chart) */
  onHover(t: number | null): void;
  /** after every draw */
  onDraw(): void;
  /** cycle boundaries to mark: [period, colour] per config */
  boundaries(): [number, string][];
}

/** an iteration tick: 0, 2500, 40k, 1.5M; past 1e9 every digit (zoomed windows near 2^53 stay readable) */
export function iteration(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return String(v);
  if (a >= 1e6 && Number.isInteger(v / 1e5)) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4 && Number.isInteger(v / 100)) return `${+(v / 1e3).toFixed(1)}k`;
  return String(v);
}

const AXIS = { stroke: '#333', grid: { stroke: '#eee', width: 1 }, ticks: { stroke: '#ccc', width: 1 } };

/** A chart whose lines can change: same lines → setData, other lines → a new uPlot. */
export class Chart {
  #u: uPlot | null = null;
  #signature = '';
  #hoverQueued = false;

  constructor(readonly o: ChartOptions) {}

  get uplot(): uPlot | null {
    return this.#u;
  }

  /** draws x and one y array per line */
  set(lines: ChartLine[], x: Float64Array, ys: Float64Array[]): void {
    const data = [x, ...ys] as unknown as uPlot.AlignedData;
    const signature = JSON.stringify(lines);
    if (this.#u && signature === this.#signature) {
      this.#u.setData(data);
      return;
    }
    this.#u?.destroy();
    this.#signature = signature;
    this.#u = new uPlot(this.#options(lines), data, this.o.el);
  }

  resize(): void {
    this.#u?.setSize({ width: this.#width(), height: this.o.height });
  }

  #width(): number {
    return Math.max(320, this.o.el.clientWidth || 960);
  }

  #options(lines: ChartLine[]): uPlot.Options {
    const o = this.o;
    const fmt = (v: number) =>
      Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(4));
    const axes: uPlot.Axis[] = [
      {
        ...AXIS,
        label: 'iteration',
        values: (_u, vals) => vals.map(iteration),
      },
      { ...AXIS, scale: 'left', label: o.left, size: 70, values: (_u, vals) => vals.map(fmt) },
    ];
    if (o.right && lines.some((l) => l.axis === 'right')) {
      axes.push({
        ...AXIS,
        scale: 'right',
        side: 1,
        label: o.right,
        size: 60,
        grid: { show: false },
        values: (_u, vals) => vals.map(fmt),
      });
    }
    return {
      width: this.#width(),
      height: o.height,
      pxAlign: 0,
      legend: { show: false },
      scales: { x: { time: false }, left: { auto: true }, right: { auto: true } },
      axes,
      series: [
        {},
        ...lines.map((l) => ({
          label: l.label,
          scale: l.axis,
          stroke: l.color,
          width: 1.25,
          dash: l.dash,
          points: { show: false },
        })),
      ],
      cursor: {
        drag: { x: true, y: false, setScale: false },
        bind: { dblclick: () => null },
        sync: { key: o.sync },
        points: { show: false },
      },
      hooks: {
        ready: [
          (u) => {
            u.over.addEventListener('dblclick', () => o.onReset());
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width < 2) return;
            const a = u.posToVal(u.select.left, 'x');
            const b = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            o.onZoom(a, b);
          },
        ],
        setCursor: [
          (u) => {
            if (this.#hoverQueued) return;
            this.#hoverQueued = true;
            requestAnimationFrame(() => {
              this.#hoverQueued = false;
              const left = u.cursor.left ?? -1;
              o.onHover(left < 0 ? null : u.posToVal(left, 'x'));
            });
          },
        ],
        draw: [(u) => this.#boundaries(u), () => o.onDraw()],
      },
    };
  }

  #boundaries(u: uPlot): void {
    const lo = u.scales.x.min;
    const hi = u.scales.x.max;
    if (lo === undefined || hi === undefined) return;
    const { ctx, bbox } = u;
    ctx.save();
    ctx.lineWidth = 1;
    ctx.setLineDash([3, 4]);
    for (const [period, color] of this.o.boundaries()) {
      if (!(period > 0)) continue;
      const first = Math.ceil(lo / period);
      const last = Math.floor(hi / period);
      if (last - first > 200) continue;
      ctx.strokeStyle = `${color}66`;
      ctx.beginPath();
      for (let k = first; k <= last; k++) {
        const px = Math.round(u.valToPos(k * period, 'x', true)) + 0.5;
        ctx.moveTo(px, bbox.top);
        ctx.lineTo(px, bbox.top + bbox.height);
      }
      ctx.stroke();
    }
    ctx.restore();
  }
}
