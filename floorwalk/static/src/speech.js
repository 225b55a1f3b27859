// Dictation where the browser offers speech recognition: a "Speak" button beside a text
// field fills it, for a gloved hand. The browser does the listening; floorwalk itself
// sends nothing anywhere. Where the browser offers none, there is no button.
import { h } from "./dom.js";

/** The browser's recognizer, or null (Firefox, most WebViews). */
export function recognizer(scope = globalThis) {
  return scope.SpeechRecognition || scope.webkitSpeechRecognition || null;
}

/** What was heard, added to what is already typed, within the field's length. */
export function withHeard(typed, heard, maxLength = -1) {
  const words = heard.trim();
  if (!words) return typed;
  const joined = typed && !/\s$/.test(typed) ? `${typed} ${words}` : typed + words;
  return maxLength > 0 ? joined.slice(0, maxLength) : joined;
}

/** `fieldEl` (from dom.field) with a "Speak" button that fills `control`, where offered. */
export function withSpeech(fieldEl, control) {
  const Recognition = recognizer();
  if (!Recognition) return fieldEl;
  let listening = null;
  const label = h("span", { text: "Speak" });
  const speak = h(
    "button",
    { type: "button", class: "button button-speak", "aria-pressed": "false" },
    label,
  );
  const done = () => {
    listening = null;
    label.textContent = "Speak";
    speak.setAttribute("aria-pressed", "false");
  };
  speak.addEventListener("click", () => {
    if (listening) return listening.stop();
    const recognition = new Recognition();
    recognition.lang = document.documentElement.lang || "en";
    recognition.interimResults = false;
    recognition.addEventListener("result", (event) => {
      const heard = [...event.results].map((result) => result[0].transcript).join(" ");
      control.value = withHeard(control.value, heard, control.maxLength);
      control.dispatchEvent(new Event("input", { bubbles: true }));
    });
    recognition.addEventListener("end", done);
    recognition.addEventListener("error", done);
    listening = recognition;
    label.textContent = "Stop";
    speak.setAttribute("aria-pressed", "true");
    try {
      recognition.start();
    } catch {
      done();
    }
  });
  fieldEl.classList.add("field-speech");
  fieldEl.append(speak);
  return fieldEl;
}
