#!/usr/bin/env node
// PyTorch's documentation example (CyclicLR(optimizer, base_lr=0.01, max_lr=0.1)) over 3 cycles: prints
// lr and momentum at a few iterations, then a terminal chart of the whole window.
import { schedule } from 'cyclic-lr';

const options = { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2000, mode: 'triangular2' };
const length = 12_000;
const { lr, momentum } = schedule(options, { length });

console.log(`CyclicLR ${JSON.stringify(options)}, iterations 0..${length - 1}`);
console.log('iteration  lr                      momentum');
for (const t of [0, 1, 1000, 2000, 3000, 4000, 6000, 8000, 11999]) {
  console.log(`${String(t).padStart(9)}  ${String(lr[0][t]).padEnd(22)}  ${momentum[0][t]}`);
}

// a 72 × 12 chart: per column the min/max envelope of lr, so no peak is lost
const W = 72, H = 12;
const lo = Math.min(...lr[0]), hi = Math.max(...lr[0]);
const grid = Array.from({ length: H }, () => new Array(W).fill(' '));
for (let c = 0; c < W; c++) {
  let a = Infinity, b = -Infinity;
  for (let i = Math.floor((c * length) / W); i < Math.floor(((c + 1) * length) / W); i++) { a = Math.min(a, lr[0][i]); b = Math.max(b, lr[0][i]); }
  const row = (v) => H - 1 - Math.round(((v - lo) / (hi - lo)) * (H - 1));
  for (let r = row(b); r <= row(a); r++) grid[r][c] = '█';
}
grid.forEach((line, r) => {
  const label = r === 0 ? hi.toFixed(3) : r === H - 1 ? lo.toFixed(3) : '';
  console.log(`${label.padStart(6)} │${line.join('')}`);
});
console.log(`${''.padStart(6)} └${'─'.repeat(W)}`);
console.log(`${''.padStart(8)}0${String(length - 1).padStart(W - 1)}  iteration`);
