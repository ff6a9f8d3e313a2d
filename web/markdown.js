// A tiny Markdown renderer that builds DOM nodes directly. Answers are model
// (or document) text, so nothing here ever goes through innerHTML, links are
// shown as text with their URL (never clickable, so a crafted answer cannot
// lure a click to an attacker's site) and images are never loaded (an <img>
// whose URL carries the conversation would leak it the moment it rendered).
//
// renderMarkdown(text, {cite}) -> DocumentFragment. `cite(n)` may return a node
// to stand for a "[n]" citation marker, or null to leave the text as is.
// Unfinished constructs (mid-stream) render as plain text until closed.

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`]*)$/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/;
const HR = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const ITEM = /^( *)([-*+]|\d{1,9}[.)])(?:\s+(.*))?$/;

export function renderMarkdown(text, opts = {}) {
  const frag = document.createDocumentFragment();
  renderBlocks(String(text ?? '').replace(/\r\n?/g, '\n').split('\n'), frag, opts);
  return frag;
}

function isBlockStart(line) {
  return FENCE.test(line) || HEADING.test(line) || HR.test(line) || QUOTE.test(line) || ITEM.test(line);
}

function renderBlocks(lines, parent, opts) {
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') { i++; continue; }

    let m = line.match(FENCE);
    if (m) {
      const marker = m[1];
      const body = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(marker)) body.push(lines[i++]);
      i++; // closing fence (or past the end while streaming)
      const code = document.createElement('code');
      if (m[2].trim()) code.dataset.lang = m[2].trim().split(/\s+/)[0];
      code.textContent = body.join('\n');
      const pre = document.createElement('pre');
      pre.append(code);
      parent.append(pre);
      continue;
    }

    m = line.match(HEADING);
    if (m && (m[2] !== undefined || /^ {0,3}#{1,6}\s*$/.test(line))) {
      // Answers sit inside a page that has its own h1/h2: start at h3.
      const el = document.createElement(`h${Math.min(6, m[1].length + 2)}`);
      el.append(...inline(m[2] ?? '', opts));
      parent.append(el);
      i++;
      continue;
    }

    if (HR.test(line)) { parent.append(document.createElement('hr')); i++; continue; }

    if (QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && lines[i].trim() !== '' && (QUOTE.test(lines[i]) || !isBlockStart(lines[i]))) {
        const q = lines[i].match(QUOTE);
        inner.push(q ? q[1] : lines[i]);
        i++;
      }
      const bq = document.createElement('blockquote');
      renderBlocks(inner, bq, opts);
      parent.append(bq);
      continue;
    }

    m = line.match(ITEM);
    if (m) { i = renderList(lines, i, parent, opts); continue; }

    // Paragraph: up to a blank line or the start of another block.
    const para = [line.trim()];
    i++;
    while (i < lines.length && lines[i].trim() !== '' && !isBlockStart(lines[i])) para.push(lines[i++].trim());
    const p = document.createElement('p');
    para.forEach((l, k) => {
      if (k > 0) p.append(document.createTextNode('\n'));
      p.append(...inline(l, opts));
    });
    parent.append(p);
  }
}

// A list runs while items have the same indent and kind; an item's body is
// its first line plus the lines indented under it, rendered recursively (so
// nested lists and paragraphs inside items come for free).
function renderList(lines, i, parent, opts) {
  const first = lines[i].match(ITEM);
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const list = document.createElement(ordered ? 'ol' : 'ul');
  if (ordered && parseInt(first[2], 10) !== 1) list.start = parseInt(first[2], 10);
  while (i < lines.length) {
    const m = lines[i].match(ITEM);
    if (!m || m[1].length !== indent || /\d/.test(m[2]) !== ordered) break;
    const contentIndent = indent + m[2].length + 1;
    const body = [m[3] ?? ''];
    i++;
    while (i < lines.length) {
      const l = lines[i];
      const lead = l.length - l.trimStart().length;
      if (l.trim() === '') {
        // A blank line continues the item only if indented content follows.
        const next = lines[i + 1];
        if (next !== undefined && next.trim() !== '' && next.length - next.trimStart().length >= contentIndent) { body.push(''); i++; continue; }
        break;
      }
      if (lead >= contentIndent || (lead > indent && ITEM.test(l))) { body.push(l.slice(Math.min(lead, contentIndent))); i++; continue; }
      if (!isBlockStart(l) && lead > 0) { body.push(l.trim()); i++; continue; } // lazy continuation
      break;
    }
    const li = document.createElement('li');
    // A one-paragraph item renders inline (no <p> margins).
    if (body.length === 1 || body.slice(1).every((b) => b.trim() !== '' && !isBlockStart(b))) {
      body.forEach((l, k) => { if (k) li.append(document.createTextNode('\n')); li.append(...inline(l.trim(), opts)); });
    } else {
      renderBlocks(body, li, opts);
    }
    list.append(li);
  }
  parent.append(list);
  return i;
}

// Inline spans: `code`, **strong**, *em*, _em_, [text](url), ![alt](url),
// <autolink>, \escapes and [n] citation markers.
function inline(s, opts) {
  const out = [];
  let text = '';
  const flush = () => { if (text) { out.push(document.createTextNode(text)); text = ''; } };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length && /[\\`*_{}[\]()#+\-.!<>|~]/.test(s[i + 1])) { text += s[i + 1]; i += 2; continue; }

    if (c === '`') {
      let run = 1;
      while (s[i + run] === '`') run++;
      const ticks = '`'.repeat(run);
      const end = s.indexOf(ticks, i + run);
      if (end > 0) {
        flush();
        const code = document.createElement('code');
        code.textContent = s.slice(i + run, end).replace(/^ (.+) $/, '$1');
        out.push(code);
        i = end + run;
        continue;
      }
      text += ticks; i += run; continue;
    }

    if (c === '!' && s[i + 1] === '[') {
      const link = parseLink(s, i + 1);
      if (link) {
        flush();
        const label = opts.imageLabel ?? 'image';
        out.push(span('md-image', link.label.trim() ? `[${label}: ${link.label.trim()}]` : `[${label}]`));
        i = link.end;
        continue;
      }
    }

    if (c === '[') {
      const cm = s.slice(i).match(/^\[(\d{1,3})\]/);
      if (cm && opts.cite) {
        const node = opts.cite(Number(cm[1]));
        if (node) { flush(); out.push(node); i += cm[0].length; continue; }
      }
      const link = parseLink(s, i);
      if (link) {
        flush();
        const wrap = span('md-link');
        wrap.append(...inline(link.label, { ...opts, cite: null }));
        if (link.url) wrap.append(document.createTextNode(' '), span('md-url', `<${link.url}>`));
        out.push(wrap);
        i = link.end;
        continue;
      }
    }

    if (c === '<') {
      const am = s.slice(i).match(/^<((?:https?|mailto|ftp):[^\s<>]+)>/i);
      if (am) { flush(); out.push(span('md-url', am[1])); i += am[0].length; continue; }
    }

    if (c === '*' || c === '_') {
      const dbl = s[i + 1] === c;
      const delim = dbl ? c + c : c;
      const prev = s[i - 1] ?? ' ';
      const next = s[i + delim.length];
      // `_` inside words (snake_case) is not emphasis; an opener must be followed by non-space.
      const canOpen = next !== undefined && !/\s/.test(next) && !(c === '_' && /[\p{L}\p{N}]/u.test(prev));
      if (canOpen) {
        const end = findCloser(s, i + delim.length, delim);
        if (end > 0) {
          flush();
          const el = document.createElement(dbl ? 'strong' : 'em');
          el.append(...inline(s.slice(i + delim.length, end), opts));
          out.push(el);
          i = end + delim.length;
          continue;
        }
      }
      text += delim; i += delim.length; continue;
    }

    text += c;
    i++;
  }
  flush();
  return out;
}

function findCloser(s, from, delim) {
  let j = from;
  while ((j = s.indexOf(delim, j)) > 0) {
    const before = s[j - 1];
    const after = s[j + delim.length];
    const isSingleInDouble = delim.length === 1 && (after === delim || before === delim) ;
    if (!/\s/.test(before) && j > from && !isSingleInDouble && !(delim[0] === '_' && after && /[\p{L}\p{N}]/u.test(after))) return j;
    j += delim.length;
  }
  return -1;
}

// [label](url "title") starting at s[i] === '['; brackets may nest once.
function parseLink(s, i) {
  let depth = 0;
  let j = i;
  for (; j < s.length; j++) {
    if (s[j] === '\\') { j++; continue; }
    if (s[j] === '[') depth++;
    else if (s[j] === ']' && --depth === 0) break;
  }
  if (j >= s.length || s[j + 1] !== '(') return null;
  const close = s.indexOf(')', j + 2);
  if (close < 0) return null;
  const url = s.slice(j + 2, close).trim().replace(/\s+"[^"]*"$/, '').replace(/^<(.*)>$/, '$1');
  return { label: s.slice(i + 1, j), url, end: close + 1 };
}

function span(cls, text) {
  const el = document.createElement('span');
  el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}
