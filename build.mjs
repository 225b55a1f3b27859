// Builds the phone app into floorwalk/static/dist/ (git-ignored):
//   app-<hash>.js (+ chunks: the QR decoder loads only when the camera opens), sw.js with
//   its Workbox precache manifest injected, zxing_reader.wasm, and build.json (the version
//   and the bundle's file name, which the shell links). Hashed names let the worker
//   precache the bundle from the HTTP cache the page just filled, not download it again.
import { build } from "esbuild";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
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
const HASHED = /-[A-Z0-9]{8}\.js$/;
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

const { count, size, warnings } = await injectManifest({
  swSrc: path.join(dist, "sw.src.js"),
  swDest: path.join(dist, "sw.js"),
  globDirectory: staticDir,
  globPatterns: ["dist/**/*.{js,wasm}", "css/app.css", "css/walk.css", "icons/*.png"],
  globIgnores: ["dist/sw.js", "dist/sw.src.js", "src/**"],
  modifyURLPrefix: { "": "/static/" },
  dontCacheBustURLsMatching: HASHED,
  maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
});
for (const warning of warnings) console.warn(warning);
await rm(path.join(dist, "sw.src.js"));
const app = path.relative(staticDir, path.resolve(root, appFile));
await writeFile(path.join(dist, "build.json"), JSON.stringify({ version: pkg.version, app }) + "\n");
console.log(`built ${path.relative(root, dist)}: precache ${count} files, ${(size / 1024).toFixed(0)} KiB`);
