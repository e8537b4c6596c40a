// Builds the explorer (Vite's programmatic API) and serves a folder from 127.0.0.1 on a random port: shared by
// test/explorer.test.ts and explorer/shoot.mjs. Every request is logged, so a caller can check none left.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

/** vite build of explorer/ into outDir */
export async function buildExplorer(outDir) {
  const { build } = await import('vite');
  await build({
    configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

/** serves dir at http://127.0.0.1:port/ (base may be a subfolder like /sub/); resolves { url, requests, close } */
export async function serve(dir, base = '/') {
  const requests = [];
  const server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push(url);
    if (!url.startsWith(base)) {
      res.writeHead(404).end();
      return;
    }
    let file = path.join(dir, path.normalize(`/${url.slice(base.length)}`));
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${base}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
