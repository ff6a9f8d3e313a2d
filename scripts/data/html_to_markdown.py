#!/usr/bin/env python3
"""Converts HTML documentation pages to plain Markdown (headings, paragraphs,
list items, preformatted blocks), dropping navigation, scripts and styles.

Used to prepare askio's sample corpus and benchmark corpora from Debian's
documentation packages. Standard library only.

usage: html_to_markdown.py OUT_DIR FILE.html...
"""
import html.parser
import os
import re
import sys

BLOCK = {"p", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "blockquote"}
SKIP = {"script", "style", "nav", "head", "noscript"}


class Converter(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.buf = []
        self.tag = None
        self.skip = 0
        self.in_pre = 0
        self.title = ""
        self.in_title = False

    def flush(self):
        text = "".join(self.buf)
        self.buf = []
        if not self.in_pre:
            text = re.sub(r"\s+", " ", text).strip()
        else:
            text = text.strip("\n")
        if not text:
            return
        tag = self.tag or "p"
        if tag.startswith("h") and len(tag) == 2 and tag[1].isdigit():
            self.out.append("#" * int(tag[1]) + " " + text)
        elif tag == "li":
            self.out.append("- " + text)
        elif tag == "pre":
            self.out.append("```\n" + text + "\n```")
        else:
            self.out.append(text)

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if tag in SKIP:
            self.skip += 1
            return
        if tag in BLOCK or tag in {"div", "table", "tr", "ul", "ol", "br"}:
            self.flush()
            if tag in BLOCK:
                self.tag = tag
        if tag == "pre":
            self.in_pre += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in BLOCK or tag in {"div", "table", "tr", "ul", "ol"}:
            self.flush()
            self.tag = None
        if tag == "pre":
            self.in_pre = max(0, self.in_pre - 1)

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.skip:
            return
        self.buf.append(data)


def convert(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        c = Converter()
        c.feed(f.read())
        c.flush()
    # Site navigation precedes the page's first heading: drop it.
    blocks = c.out
    for i, b in enumerate(blocks):
        if b.startswith("# "):
            blocks = blocks[i:]
            break
    body = "\n\n".join(blocks)
    title = re.sub(r"\s+", " ", c.title).strip()
    if title:
        # The page title names the document; the page's own headings stay
        # its structure.
        body = "---\ntitle: " + title.replace("\n", " ") + "\n---\n\n" + body
    return body + "\n"


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for path in sys.argv[2:]:
        name = os.path.splitext(os.path.basename(path))[0] + ".md"
        rel = os.path.dirname(os.path.relpath(path, os.path.commonpath(sys.argv[2:]) if len(sys.argv) > 3 else os.path.dirname(path)))
        target_dir = os.path.join(out_dir, rel)
        os.makedirs(target_dir, exist_ok=True)
        with open(os.path.join(target_dir, name), "w", encoding="utf-8") as f:
            f.write(convert(path))


if __name__ == "__main__":
    main()
