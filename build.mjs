// Builds the phone app into floorwalk/static/dist/ (git-ignored):
//   app-<hash>.js (+ chunks: the QR decoder loads only when the camera opens), sw.js with
//   its Workbox precache manifest injected, zxing_reader.wasm, fonts/ (DejaVu Sans for
//   the QR label sheets the server draws), assets/ (copies of the shell's CSS and icons,
//   e.g. assets/app-<hash>.css), and build.json (the version, the bundle's file name and
//   the copies' names, which the shell and the manifest link).
//   Hashed names let the worker precache these files from the HTTP cache the page just
//   filled, not download them again. The originals stay in css/ and icons/ for the other
//   pages and for an unbuilt checkout.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { injectManifest } from "workbox-build";

const root = path.dirname(new URL(import.meta.url).pathname);
const staticDir = path.join(root, "floorwalk", "static");
const src = path.join(staticDir, "src");
const dist = path.join(staticDir, "dist");
const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  target: ["es2020"],
  legalComments: "none",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": "\"production\"" },
};

const bundle = await build({
  ...common,
  entryPoints: [path.join(src, "app.js")],
  outdir: dist,
  format: "esm",
  splitting: true,
  entryNames: "[name]-[hash]",
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
  sourcemap: false,
});
const appFile = Object.entries(bundle.metafile.outputs).find(([, out]) => out.entryPoint)[0];
const HASHED = /-[A-Z0-9]{8}\.(js|css|png|svg)$/;
await build({
  ...common,
  entryPoints: [path.join(src, "sw.js")],
  outfile: path.join(dist, "sw.src.js"),
  format: "iife",
});

// The decoder's .wasm, served by floorwalk itself (no CDN): the copy that
// barcode-detector's own zxing-wasm dependency resolves to.
const require = createRequire(path.join(root, "node_modules", "barcode-detector", "package.json"));
let zxingRoot = path.dirname(require.resolve("zxing-wasm/reader"));
while (path.basename(zxingRoot) !== "zxing-wasm") zxingRoot = path.dirname(zxingRoot);
const wasm = path.join(zxingRoot, "dist", "reader", "zxing_reader.wasm");
await copyFile(wasm, path.join(dist, "zxing_reader.wasm"));

// The font of printed QR labels (labels.py, on the server; not precached): DejaVu Sans
// prints Polish, Czech, Greek or Cyrillic station names where PDF core fonts cannot.
await mkdir(path.join(dist, "fonts"));
for (const font of ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]) {
  await copyFile(path.join(root, "node_modules", "dejavu-fonts-ttf", "ttf", font), path.join(dist, "fonts", font));
}

// The static files the shell, base.html and the manifest link, copied under hashed names
// in the bundle's style: { "css/app.css": "dist/assets/app-3F9A1B2C.css", ... }.
const icons = (await readdir(path.join(staticDir, "icons"))).filter((name) => /\.(png|svg)$/.test(name));
const assets = {};
await mkdir(path.join(dist, "assets"));
for (const name of ["css/app.css", "css/walk.css", ...icons.map((icon) => `icons/${icon}`)]) {
  const bytes = await readFile(path.join(staticDir, name));
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 8).toUpperCase();
  const { name: stem, ext } = path.parse(name);
  const copy = `dist/assets/${stem}-${hash}${ext}`;
  if (Object.values(assets).includes(copy)) throw new Error(`two assets would be ${copy}`);
  await writeFile(path.join(staticDir, copy), bytes);
  assets[name] = copy;
}

const { count, size, warnings } = await injectManifest({
  swSrc: path.join(dist, "sw.src.js"),
  swDest: path.join(dist, "sw.js"),
  globDirectory: staticDir,
  // The shell's hashed CSS and icons (favicon.svg serves only the other pages).
  globPatterns: ["dist/**/*.{js,wasm}", "dist/assets/*.{css,png}"],
  globIgnores: ["dist/sw.js", "dist/sw.src.js", "src/**"],
  modifyURLPrefix: { "": "/static/" },
  dontCacheBustURLsMatching: HASHED,
  maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
});
for (const warning of warnings) console.warn(warning);
await rm(path.join(dist, "sw.src.js"));
const app = path.relative(staticDir, path.resolve(root, appFile));
await writeFile(path.join(dist, "build.json"), JSON.stringify({ version: pkg.version, app, assets }) + "\n");
console.log(`built ${path.relative(root, dist)}: precache ${count} files, ${(size / 1024).toFixed(0)} KiB`);
