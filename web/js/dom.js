// dom.js — building the page from data without ever parsing data as HTML.
//
// Every screen builds its elements with h(); text is always inserted with
// createTextNode, so an asset called "<img src=x onerror=…>" shows as those
// characters.  There is no innerHTML anywhere in the UI (tests/web checks it).

// h(tag, attrs, ...children): attrs holds properties and attributes; keys
// starting with "on" are event listeners; children are nodes, strings, numbers,
// arrays of those, or null/false (skipped).  An "svg:" prefix makes an SVG element.
export function h(tag, attrs, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (!svg && k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// Replaces everything inside el with children.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A unique id for label/for pairs.
let serial = 0;
export function uid(prefix) {
  serial += 1;
  return `${prefix || 'm'}-${serial}`;
}
