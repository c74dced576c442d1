// Progressive enhancement for the socmob dashboard. Pages work without this file:
// every chart is a server-rendered SVG followed by its data table.
//
// 1. GOV.UK Frontend components (service navigation menu, error summary, buttons).
// 2. Charts: each <figure data-chart> carries its Vega-Lite spec as JSON; vega-embed
//    (loaded from /static/build, no network) redraws it with tooltips. Vega runs with
//    its CSP-safe expression interpreter, so no eval is needed. If anything fails the
//    static SVG stays.

import { initAll } from "/static/build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
try {
  initAll();
} catch (error) {
  console.warn("socmob: GOV.UK Frontend did not start", error);
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(script);
  });
}

// On a narrow screen (a phone) a chart is laid out again at the width there is, rather
// than shrunk, so that its text keeps its size: a single chart fits the width (axes and
// labels included); a grid of small charts (a facet) goes to one column. A map or other
// composed view is left to shrink (it has no text to shrink but its titles).
function wrapWords(text, perLine) {
  const lines = [];
  for (const word of String(text).split(" ")) {
    const last = lines.length ? lines[lines.length - 1] : null;
    if (last !== null && (last + " " + word).length <= perLine) lines[lines.length - 1] += " " + word;
    else lines.push(word);
  }
  return lines;
}

function fitToWidth(spec, available) {
  if (!available) return spec;
  if (typeof spec.width === "number" && available < spec.width + 60) {
    // long labels break at ": " onto two lines; a long title wraps
    const perLine = Math.max(20, Math.floor(available / 10));
    const title = typeof spec.title === "string" && spec.title.length > perLine
      ? { text: wrapWords(spec.title, perLine) } : spec.title;
    const config = { ...(spec.config || {}),
      axisY: { labelExpr: "split(datum.label, ': ')", labelLimit: Math.round(available * 0.4) },
      axisX: { titleLimit: Math.round(available * 0.6) } };
    // two-line labels need taller rows
    const height = typeof spec.height === "number" ? Math.round(spec.height * 1.6) : spec.height;
    return { ...spec, title, config, width: available, height,
             autosize: { type: "fit-x", contains: "padding" } };
  }
  if (spec.facet && spec.spec && typeof spec.spec.width === "number"
      && available < (spec.columns || 1) * (spec.spec.width + 60)) {
    const width = Math.min(spec.spec.width, Math.max(160, available - 80));
    return { ...spec, columns: 1, spec: { ...spec.spec, width } };
  }
  return spec;
}

async function enhanceCharts() {
  const figures = document.querySelectorAll("figure[data-chart]");
  if (figures.length === 0) return;
  await loadScript("/static/build/vega.min.js");
  await loadScript("/static/build/vega-lite.min.js");
  await loadScript("/static/build/vega-embed.min.js");
  for (const figure of figures) {
    const holder = figure.querySelector(".socmob-chart__static");
    const specNode = figure.querySelector("script.socmob-spec");
    if (!holder || !specNode) continue;
    try {
      const spec = fitToWidth(JSON.parse(specNode.textContent), figure.clientWidth);
      const target = document.createElement("div");
      target.className = "socmob-chart__live";
      target.setAttribute("role", "img");
      const svg = holder.querySelector("svg");
      target.setAttribute("aria-label", svg ? svg.getAttribute("aria-label") : spec.description || "Chart");
      await window.vegaEmbed(target, spec, {
        renderer: "svg",
        actions: false,
        ast: true,
        expr: window.vega.expressionInterpreter,
        defaultStyle: false,
      });
      // the wrapper is the one image (role="img" with the chart's accessible name); the
      // marks inside describe Vega's scenegraph, not the data, so hide them from
      // assistive technology: the same figures are in the table after the chart
      const liveSvg = target.querySelector("svg");
      if (liveSvg) {
        liveSvg.setAttribute("aria-hidden", "true");
        // a map's areas are links for the pointer; keyboard and screen-reader users
        // have the same links in the table, so these stay out of the tab order
        for (const link of liveSvg.querySelectorAll("a")) link.setAttribute("tabindex", "-1");
      }
      holder.replaceWith(target);
    } catch (error) {
      console.warn("socmob: chart left as a static image", error);
    }
  }
}

enhanceCharts().catch((error) => console.warn("socmob: charts left as static images", error));
