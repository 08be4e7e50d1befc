/**
 * dst[c, r] = src[r, c] for a row-major [rows, cols] matrix. Walks tiles so reads and writes both
 * stay within a few cache lines.
 */
export function transpose2d(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
  const tile = 32;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const rEnd = Math.min(rows, r0 + tile);
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const cEnd = Math.min(cols, c0 + tile);
      for (let r = r0; r < rEnd; r++) {
        let s = r * cols + c0;
        let d = c0 * rows + r;
        for (let c = c0; c < cEnd; c++, s++, d += rows) dst[d] = src[s] as number;
      }
    }
  }
}
