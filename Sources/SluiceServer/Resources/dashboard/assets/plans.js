// The branch plans, and the small markdown subset they are written in, rendered straight to DOM.
"use strict";

function renderPlans() {
  const section = document.getElementById("plans");
  const plans = Array.isArray(state.plans) ? state.plans : [];
  section.hidden = plans.length === 0;
  update(document.getElementById("plans-list"), JSON.stringify(plans), () => plans.map(plan => {
    const key = "plan\u0000" + plan.branch;
    return el("details", { class: "plan", "data-branch": plan.branch, "data-key": key, open: isOpen(key, false) },
      el("summary", {}, el("code", { class: "branch" }, plan.branch), el("span", { class: "plan-title" }, planTitle(plan.markdown))),
      el("div", { class: "markdown" }, renderMarkdown(plan.markdown || "")));
  }));
}
function planTitle(markdown) {
  for (const line of String(markdown || "").split("\n")) {
    const text = line.replace(/^#+\s*/, "").replace(/[*`_]/g, "").trim();
    if (text && !/^[-|:\s]+$/.test(text)) return text.length > 110 ? text.slice(0, 109) + "…" : text;
  }
  return "";
}

/// A small markdown subset straight to DOM: headings, paragraphs, lists, tables, fenced code, quotes, rules,
/// and inline code, bold, italics and http(s) links. Never HTML: everything lands in textContent.
function renderMarkdown(text) {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const blocks = [];
  const isTableRule = line => /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line);
  const listItem = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
  const startsBlock = (line, next) => /^\s*(#{1,6}\s|```|~~~|>)/.test(line) || listItem.test(line) ||
    (line.includes("|") && next !== undefined && isTableRule(next));
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^\s*$/.test(line)) { i += 1; continue; }
    let match;
    if ((match = /^\s*(```|~~~)(.*)$/.exec(line))) {
      const fence = match[1];
      const code = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(fence)) { code.push(lines[i]); i += 1; }
      i += 1;
      blocks.push(el("pre", { class: "md-code" }, el("code", {}, code.join("\n"))));
    } else if ((match = /^\s*(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))) {
      blocks.push(el("h" + Math.min(6, match[1].length + 2), {}, inline(match[2])));
      i += 1;
    } else if (/^\s*(-{3,}|\*{3,}|_{3,})\s*$/.test(line)) {
      blocks.push(el("hr", {}));
      i += 1;
    } else if (line.includes("|") && i + 1 < lines.length && isTableRule(lines[i + 1])) {
      const cells = row => row.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map(cell => cell.trim().replace(/\\\|/g, "|"));
      const head = cells(line);
      const aligns = cells(lines[i + 1]).map(rule => rule.endsWith(":") ? (rule.startsWith(":") ? "center" : "right") : null);
      i += 2;
      const rows = [];
      while (i < lines.length && lines[i].includes("|") && !/^\s*$/.test(lines[i])) { rows.push(cells(lines[i])); i += 1; }
      blocks.push(el("div", { class: "table-wrap" }, el("table", { class: "md-table" },
        el("thead", {}, el("tr", {}, head.map((cell, n) => el("th", { scope: "col", class: aligns[n] ? "align-" + aligns[n] : null }, inline(cell))))),
        el("tbody", {}, rows.map(row => el("tr", {}, head.map((_, n) =>
          el("td", { class: aligns[n] ? "align-" + aligns[n] : null }, inline(row[n] || "")))))))));
    } else if (listItem.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items = [];
      while (i < lines.length && (match = listItem.exec(lines[i]))) {
        const depth = Math.min(3, Math.floor(match[1].replace(/\t/g, "  ").length / 2));
        let content = match[3];
        i += 1;
        while (i < lines.length && /^\s{2,}\S/.test(lines[i]) && !listItem.test(lines[i])) { content += " " + lines[i].trim(); i += 1; }
        const task = /^\[([ xX])\]\s+(.*)$/.exec(content);
        items.push(el("li", { class: depth ? "depth-" + depth : null },
          task ? [el("span", { class: "check", "aria-label": task[1] === " " ? "to do" : "done" }, task[1] === " " ? "☐ " : "☑ "), inline(task[2])] : inline(content)));
      }
      blocks.push(el(ordered ? "ol" : "ul", {}, items));
    } else if (/^\s*>/.test(line)) {
      const quote = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) { quote.push(lines[i].replace(/^\s*>\s?/, "")); i += 1; }
      blocks.push(el("blockquote", {}, inline(quote.join(" "))));
    } else {
      const paragraph = [line.trim()];
      i += 1;
      while (i < lines.length && !/^\s*$/.test(lines[i]) && !startsBlock(lines[i], lines[i + 1])) { paragraph.push(lines[i].trim()); i += 1; }
      blocks.push(el("p", {}, inline(paragraph.join(" "))));
    }
  }
  return blocks;
}
function inline(text) {
  const out = [];
  const pattern = /(`+)([\s\S]+?)\1|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)|\*([^*\s][^*]*)\*/g;
  let last = 0, match;
  while ((match = pattern.exec(text))) {
    if (match.index > last) out.push(text.slice(last, match.index));
    if (match[1]) out.push(el("code", {}, match[2].trim()));
    else if (match[3] !== undefined) out.push(el("strong", {}, inline(match[3])));
    else if (match[4] !== undefined) {
      const href = match[5];
      out.push(/^(https?:|mailto:)/i.test(href) ? el("a", { href, rel: "noopener noreferrer" }, inline(match[4])) : inline(match[4]));
    } else if (match[6] !== undefined) out.push(el("em", {}, inline(match[6])));
    last = pattern.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
