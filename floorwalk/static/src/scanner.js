// The camera scanner: rear camera in a playsinline muted video, torch where supported,
// stopped as soon as it closes. The decoder is imported only when the camera opens.
import { button, h } from "./dom.js";
import { codeFromQr } from "./qr.js";
import { cameraProblem } from "./words.js";

export function confirmScan() {
  navigator.vibrate?.(80);
  document.body.classList.add("scan-flash");
  setTimeout(() => document.body.classList.remove("scan-flash"), 350);
}

/** Opens the scanner over the page; resolves with a station code, or null when closed. */
export function scan() {
  return new Promise((resolve) => {
    let stream = null;
    let closed = false;
    let timer = null;
    const video = h("video", { class: "scanner-video", playsinline: true, muted: true, autoplay: true });
    video.muted = true;
    const message = h("p", { class: "scanner-message", role: "status", text: "Starting camera…" });
    const torch = button("Torch", toggleTorch, "button scanner-torch");
    torch.hidden = true;
    const overlay = h(
      "div",
      { class: "scanner", role: "dialog", "aria-label": "Scanner" },
      video,
      h("div", { class: "scanner-frame", "aria-hidden": "true" }),
      message,
      h("div", { class: "scanner-actions" }, torch, button("Close", () => finish(null), "button button-primary")),
    );
    document.body.append(overlay);

    function finish(code) {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      for (const track of stream?.getTracks() || []) track.stop();
      video.srcObject = null;
      overlay.remove();
      resolve(code);
    }

    let torchOn = false;
    async function toggleTorch() {
      const track = stream?.getVideoTracks()[0];
      torchOn = !torchOn;
      await track?.applyConstraints({ advanced: [{ torch: torchOn }] }).catch(() => {});
      torch.setAttribute("aria-pressed", String(torchOn));
    }

    (async () => {
      try {
        const [{ makeDetector }, media] = await Promise.all([
          import("./decoder.js"),
          navigator.mediaDevices.getUserMedia({
            audio: false,
            video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 } },
          }),
        ]);
        stream = media;
        if (closed) return finish(null);
        video.srcObject = stream;
        await video.play();
        const track = stream.getVideoTracks()[0];
        if (track?.getCapabilities?.().torch) torch.hidden = false;
        const detector = await makeDetector();
        message.textContent = "Point at a station label";
        const tick = async () => {
          if (closed) return;
          try {
            if (video.readyState >= 2) {
              for (const found of await detector.detect(video)) {
                const code = codeFromQr(found.rawValue);
                if (code) {
                  confirmScan();
                  return finish(code);
                }
                message.textContent = "That code is not a station label";
              }
            }
          } catch {
            // a frame that could not be read; try the next one
          }
          timer = setTimeout(tick, 120);
        };
        tick();
      } catch (error) {
        message.textContent = cameraProblem(error);
      }
    })();
  });
}
