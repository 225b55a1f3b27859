// Station codes in labels and URLs: a label's QR code holds https://<host>/s/<code> (the
// host may be another name for the server) or the bare code; the app opens /s/<code>.

const CODE = /^[A-Za-z0-9_-]{1,32}$/;
const STATION_PATH = /^\/s\/([A-Za-z0-9_-]{1,32})\/?$/;

/** The station code a page path names (/s/<code>, one trailing slash allowed), or null. */
export function codeFromPath(pathname) {
  const match = STATION_PATH.exec(pathname);
  return match ? decodeURIComponent(match[1]) : null;
}

/** The station code a QR label names: a URL whose path is /s/<code> on any host, or a code. */
export function codeFromQr(text) {
  const value = (text || "").trim();
  if (CODE.test(value)) return value;
  try {
    return codeFromPath(new URL(value).pathname);
  } catch {
    return null; // not a URL
  }
}
