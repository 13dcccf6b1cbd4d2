// Builds web/dist: the bundled app, its CSS, the offline base map (land)
// and a fallback copy of the corridor geometry. `node build.mjs [--watch]`.
import { mkdir, readFile, writeFile, copyFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { feature } from 'topojson-client';
import { clipFeatureCollection } from './src/clip.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const watch = process.argv.includes('--watch');

// The region the map may show: the Black Sea, the Straits and the Aegean's
// north, as far as the map may be panned (map.js maxBounds). Land outside it is dropped so the page loads fast (about 1/30 of
// the world file) and still has 10m detail at the Bosphorus and Odesa.
export const REGION = [14, 32, 50, 53];

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const options = {
  entryPoints: { app: path.join(here, 'src/main.js') },
  bundle: true,
  format: 'esm',
  // The map (maplibre) and the charts (Plot) load only on the screens that
  // show them: the vessel-movements table comes up without either.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: ['chrome110', 'firefox110', 'safari16'],
  outdir: dist,
  minify: !watch,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'info',
};
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}

await copyFile(path.join(here, 'src/index.html'), path.join(dist, 'index.html'));

// Base map: world-atlas land at 1:10m, TopoJSON -> GeoJSON, clipped to REGION.
const topo = JSON.parse(await readFile(path.join(here, 'node_modules/world-atlas/land-10m.json'), 'utf8'));
const land = clipFeatureCollection(feature(topo, topo.objects.land), REGION, 4);
await writeFile(path.join(dist, 'land.geojson'), JSON.stringify(land));

// The corridor as configured in the repository, used when the server has
// no /api/v1/geometry yet.
await copyFile(path.join(here, '../config/corridor-blacksea.geojson'), path.join(dist, 'corridor-fallback.geojson'));

console.log(`built ${path.relative(process.cwd(), dist) || dist}`);
