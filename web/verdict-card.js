/* The eligibility verdict card: rasa-webchat's `customComponent` for the bot's custom payload
 * {"type": "kvisa_verdict", "verdict", "criteria": [...], "caveats", "next_steps", "policy_version"}
 * (kvisa/assessment.py `to_payload`). The widget passes the payload's fields as props.
 *
 * rasa-webchat's standalone bundle (lib/index.js) carries its own React 16 and does not export it, so the
 * card is built from plain React element objects (`h` below has the shape React.createElement returns).
 * Text goes in as children, which React escapes: nothing from the payload becomes HTML.
 */
(function () {
  "use strict";

  var REACT_ELEMENT = typeof Symbol === "function" && Symbol.for ? Symbol.for("react.element") : 0xeac7;

  function h(type, props) {
    var children = Array.prototype.slice.call(arguments, 2);
    var all = {};
    var key = null;
    Object.keys(props || {}).forEach(function (name) {
      if (name === "key") key = String(props.key);
      else all[name] = props[name];
    });
    if (children.length === 1) all.children = children[0];
    else if (children.length > 1) all.children = children;
    return { $$typeof: REACT_ELEMENT, type: type, key: key, ref: null, props: all, _owner: null };
  }

  // Wording shared with actions/verdict.py (the text version of the verdict).
  var VERDICTS = {
    likely_eligible: { label: "Likely eligible", tone: "good",
      summary: "On what is published, your profile fits the K visa." },
    not_eligible: { label: "Not eligible", tone: "bad",
      summary: "At least one official condition is not met." },
    uncertain: { label: "Uncertain", tone: "unsure",
      summary: "Part of your profile depends on rules that are not published yet." },
    incomplete: { label: "Incomplete", tone: "neutral",
      summary: "Something is missing to give an estimate." }
  };
  var RESULTS = {
    met: { mark: "\u2713", label: "Met" },
    not_met: { mark: "\u2717", label: "Not met" },
    uncertain: { mark: "?", label: "Uncertain" },
    missing: { mark: "\u2013", label: "Missing" }
  };
  var CERTAINTY = { official: "Official rule", reported: "Reported, not official", "": "No answer" };
  var CRITERIA = { age: "Age", degree: "Degree", field: "Field of study", institution: "Institution" };

  function asList(value) {
    return Array.isArray(value) ? value : [];
  }

  function criterionRow(item, verdict) {
    var result = RESULTS[item.result] || { mark: "\u2022", label: String(item.result || "") };
    var reason = String(item.reason || "");
    var note = CERTAINTY.hasOwnProperty(item.certainty || "") ? CERTAINTY[item.certainty || ""] : String(item.certainty);
    if (item.reason_code === "INSTITUTION_LISTED") note = "Official requirement, our own list";
    if (verdict === "not_eligible" && item.reason_code === "MISSING") {
      reason = "Not asked: it would not change this outcome.";
      note = "Not needed";
    }
    var name = String(item.criterion || "");
    return h("li", { key: name, className: "kv-criterion kv-result-" + String(item.result || "unknown"),
                     "data-criterion": name, "data-result": String(item.result || "") },
      h("span", { className: "kv-mark", "aria-hidden": "true" }, result.mark),
      h("div", { className: "kv-criterion-body" },
        h("div", { className: "kv-criterion-head" },
          h("span", { className: "kv-criterion-name" }, CRITERIA[name] || name),
          h("span", { className: "kv-result-label" }, result.label)),
        h("p", { className: "kv-reason" }, reason),
        h("p", { className: "kv-certainty", title: String(item.source || "") }, note)));
  }

  function bullets(items) {
    return h("ul", null, items.map(function (text, index) {
      return h("li", { key: String(index) }, String(text));
    }));
  }

  // Which degree decided, a degree in progress, a check for someone else: sentences from kvisa.
  function noteList(items) {
    if (!items.length) return null;
    return h("section", { className: "kv-notes" }, bullets(items));
  }

  function caveatList(items) {
    if (!items.length) return null;
    return h("section", { className: "kv-caveats" },
      h("h4", { className: "kv-section-title" }, "Keep in mind"), bullets(items));
  }

  // Next steps are folded away: the card stays short in a small chat window.
  function nextSteps(items) {
    if (!items.length) return null;
    return h("details", { className: "kv-next-steps" },
      h("summary", { className: "kv-section-title" }, "Next steps (" + items.length + ")"), bullets(items));
  }

  function VerdictCard(props) {
    if (!props || props.type !== "kvisa_verdict") return null; // other custom payloads: nothing to draw
    var verdict = String(props.verdict || "");
    var look = VERDICTS[verdict] || { label: verdict || "Result", tone: "neutral", summary: "" };
    var steps = verdict === "not_eligible" ? [] : asList(props.next_steps);
    return h("article", { className: "kv-card kv-tone-" + look.tone, "data-verdict": verdict,
                          "aria-label": "Eligibility estimate: " + look.label },
      h("header", { className: "kv-card-head" },
        h("span", { className: "kv-card-kicker" }, "K-visa eligibility estimate"),
        h("h3", { className: "kv-verdict" }, look.label),
        look.summary ? h("p", { className: "kv-summary" }, look.summary) : null),
      h("ul", { className: "kv-criteria" }, asList(props.criteria).map(function (item) {
        return criterionRow(item || {}, verdict);
      })),
      noteList(asList(props.notes)),
      caveatList(asList(props.caveats)),
      nextSteps(steps),
      h("footer", { className: "kv-card-foot" },
        "Policy data version " + String(props.policy_version || "unknown") + ". An estimate, not legal advice."));
  }

  window.KvisaVerdictCard = VerdictCard;
})();
