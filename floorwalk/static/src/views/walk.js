// Walks: start one (optionally on a route), tick stations off as they are opened, and at
// the end see what was covered and what was missed.
import { button, field, h } from "../dom.js";
import { findStation } from "../catalog.js";
import { plural } from "../words.js";

export function walkPanel(catalog, walk, visited, { start, end, open }) {
  const routes = Object.values(catalog.routes).filter((r) => r.active !== false);
  if (!walk) {
    const route = h("select", { name: "route" }, h("option", { value: "" }, "No route"),
      routes.map((r) => h("option", { value: String(r.id) }, r.name)));
    return h(
      "section",
      { class: "card walk" },
      routes.length ? field("Route", route) : null,
      button("Start walk", () => start(route.value ? Number(route.value) : null), "button button-wide"),
    );
  }
  const stops = routeStops(catalog, walk.route);
  return h(
    "section",
    { class: "card walk", "aria-labelledby": "walk-heading" },
    h("h2", { id: "walk-heading" }, walk.route ? `Walk: ${catalog.routes[walk.route]?.name || ""}` : "Walk in progress"),
    stops.length
      ? h("p", { class: "walk-progress", text: `${stops.filter((c) => visited.has(c)).length} of ${stops.length} visited` })
      : null,
    stops.length
      ? h(
          "ol",
          { class: "checklist", "aria-label": "Route stations" },
          stops.map((code) => {
            const done = visited.has(code);
            const name = findStation(catalog, code)?.name || "";
            return h(
              "li",
              { class: done ? "done" : "" },
              h(
                "button",
                { type: "button", class: "stop", onclick: () => open(code) },
                done ? "✓ " : "○ ",
                h("span", { class: "code", text: code }),
                name ? ` ${name}` : "",
                h("span", { class: "visually-hidden" }, done ? " visited" : " not yet"),
              ),
            );
          }),
        )
      : h("p", { class: "muted" }, `${plural(visited.size, "station")} so far`),
    button("End walk", end, "button button-wide"),
  );
}

export function routeStops(catalog, routeId) {
  const route = routeId != null ? catalog.routes[routeId] : null;
  if (!route) return [];
  return (route.stations || route.stops || []).map((s) => (typeof s === "string" ? s : s.code || s.station));
}

/**
 * The stop to offer after a save at `current`: the first one not yet visited after it in
 * the route's order, going round to the start; null when every other stop is visited.
 */
export function nextStop(stops, visited, current) {
  const at = stops.indexOf(current);
  const order = at < 0 ? stops : [...stops.slice(at + 1), ...stops.slice(0, at)];
  return order.find((code) => code !== current && !visited.has(code)) ?? null;
}

export function walkSummary(catalog, walk, visited, onClose) {
  const stops = routeStops(catalog, walk.route);
  const missed = stops.filter((code) => !visited.has(code));
  const covered = [...visited];
  return h(
    "section",
    { class: "card walk-summary", "aria-labelledby": "walk-summary-heading" },
    h("h2", { id: "walk-summary-heading", text: "Walk ended" }),
    h("p", { text: `Covered: ${covered.length ? covered.join(", ") : "none"}` }),
    stops.length ? h("p", { text: `Missed: ${missed.length ? missed.join(", ") : "none"}` }) : null,
    button("OK", onClose),
  );
}
