// Loaded only when the camera opens: the browser's own BarcodeDetector where it reads QR
// codes, else ZXing compiled to WebAssembly (its .wasm served by floorwalk, precached).
import { BarcodeDetector as ZXingDetector, prepareZXingModule } from "barcode-detector/ponyfill";

const WASM_URL = new URL("/static/dist/zxing_reader.wasm", location.origin).href;

prepareZXingModule({
  overrides: {
    locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM_URL : prefix + path),
  },
});

export async function makeDetector() {
  if ("BarcodeDetector" in globalThis) {
    try {
      const formats = await globalThis.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) return new globalThis.BarcodeDetector({ formats: ["qr_code"] });
    } catch {
      // fall through to ZXing
    }
  }
  return new ZXingDetector({ formats: ["qr_code"] });
}
