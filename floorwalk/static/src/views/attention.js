// "Needs attention": records the server rejected, and stale or conflicting versions.
import { button, h } from "../dom.js";
import { EDITABLE_TYPES, describeRecord } from "../catalog.js";

// The server names fields by their path in the record; people know them by their labels.
const FIELD_LABELS = {
  record: "",
  station: "Station",
  "data.metric": "Metric",
  "data.value": "Value",
  "data.category": "Category",
  "data.severity": "Severity",
  "data.text": "Text",
  "data.photos": "Photo",
  "data.minutes": "Minutes lost",
  "data.employee": "Employee",
  "data.kind": "Kind",
  "data.route": "Route",
  "data.title": "Title",
  "data.owner": "Owner",
  "data.due": "Due",
  "data.priority": "Priority",
  "data.status": "Status",
  "data.action": "Action",
  "data.comment": "Comment",
};

function problem(name, messages) {
  const label = FIELD_LABELS[name] ?? name;
  const text = [].concat(messages).join(" ");
  return label ? `${label}: ${text}` : text;
}

export function attentionView(catalog, entries, { keepMine, useServers, discard, fix }) {
  if (!entries.length) return null;
  return h(
    "section",
    { class: "card attention", "aria-labelledby": "attention-heading" },
    h("h2", { id: "attention-heading", text: "Needs attention" }),
    h(
      "ul",
      { class: "records" },
      entries.map((entry) =>
        entry.state === "rejected"
          ? h(
              "li",
              { class: "record record-rejected" },
              h("p", { class: "record-text", text: describeRecord(catalog, entry) }),
              h(
                "ul",
                { class: "errors" },
                Object.entries(entry.errors || {}).map(([name, messages]) =>
                  h("li", { class: "error" }, problem(name, messages)),
                ),
              ),
              h(
                "div",
                { class: "record-actions" },
                fix && entry.station && EDITABLE_TYPES.includes(entry.type) ? button("Fix", () => fix(entry)) : null,
                button("Discard", () => discard(entry)),
              ),
            )
          : h(
              "li",
              { class: "record record-conflict" },
              h("p", { text: entry.conflict === "stale" ? "The server has a newer version." : "Edited on another phone." }),
              h(
                "div",
                { class: "side-by-side" },
                h("div", {}, h("h3", { text: "Mine" }), h("p", { text: describeRecord(catalog, entry) })),
                h(
                  "div",
                  {},
                  h("h3", { text: "The server's" }),
                  h("p", {
                    text: entry.server?.record ? describeRecord(catalog, entry.server.record) : "—",
                  }),
                ),
              ),
              h(
                "div",
                { class: "record-actions" },
                button("Keep mine", () => keepMine(entry)),
                button("Use the server's", () => useServers(entry)),
              ),
            ),
      ),
    ),
  );
}
