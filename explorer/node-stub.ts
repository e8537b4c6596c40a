// Stopgap for the browser bundle: src/npy.ts imports node:fs and node:zlib at its top for the CLI's .npz
// writer, which the page never calls; vite.config.ts aliases both to this module until npy.ts stops.
const absent = (name: string) => () => {
  throw new Error(`${name} is not available in the browser`);
};
export const readSync = absent('fs.readSync');
export const writeSync = absent('fs.writeSync');
export const crc32 = absent('zlib.crc32');
export default {};
