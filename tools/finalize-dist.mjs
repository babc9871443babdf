// Finishes dist/ after `trunk build` so the page runs under its strict Content-Security-Policy:
// Trunk starts the app with an inline <script type="module">, which `script-src 'self'` forbids,
// so the script is moved to its own file (named by content hash, like Trunk's other files).
// Usage: node tools/finalize-dist.mjs [dist]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = process.argv[2] ?? 'dist';
const indexPath = join(dist, 'index.html');
let html = readFileSync(indexPath, 'utf8');
const inline = /<script type="module">([\s\S]*?)<\/script>/;
const match = html.match(inline);
if (match) {
  const code = match[1].trim() + '\n';
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const name = `boot-${hash}.js`;
  writeFileSync(join(dist, name), code);
  html = html.replace(inline, `<script type="module" src="./${name}"></script>`);
  writeFileSync(indexPath, html);
  console.log(`finalize-dist: moved the inline start-up script to ${name}`);
}
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) {
  console.error('finalize-dist: an inline script is left in index.html; the CSP would block it');
  process.exit(1);
}
