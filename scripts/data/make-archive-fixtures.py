#!/usr/bin/env python3
"""Builds the archive, EPUB-free and Notion fixtures in tests/data/formats.

Run from the repository root: python3 scripts/data/make-archive-fixtures.py
Only the Python standard library is used, so the bytes are reproducible
(fixed timestamps)."""
import io
import os
import tarfile
import zipfile

OUT = "tests/data/formats"
STAMP = (2026, 1, 1, 0, 0, 0)


def add(z, name, data, compress=zipfile.ZIP_DEFLATED):
    info = zipfile.ZipInfo(name, STAMP)
    info.compress_type = compress
    z.writestr(info, data)


def bundle():
    """A zip of mixed documents, with a nested tar.gz inside."""
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as t:
        data = "# 值班表\n\n周三的值班人员是王小明，电话分机 8021。\n".encode()
        info = tarfile.TarInfo("nested/oncall.md")
        info.size = len(data)
        info.mtime = 0
        t.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(f"{OUT}/archive-bundle.zip", "w") as z:
        add(z, "docs/travel.md",
            "# Travel policy\n\nEconomy class is booked for flights under six hours.\n")
        add(z, "docs/faq.json",
            '[{"question": "How many vacation days do new staff get?", '
            '"answer": "New staff get 15 vacation days a year."}]')
        add(z, "docs/notes.txt", "The cafeteria opens at 7:30 and closes at 19:00.\n")
        add(z, "docs/schedule.tar.gz", inner.getvalue(), zipfile.ZIP_STORED)
        add(z, "docs/picture.bin", b"\x00\x01binary blob of an unsupported type")
        add(z, "__MACOSX/docs/._travel.md", b"\x00\x05\x16\x07resource fork")


def traversal():
    """Members that try to escape: ../, absolute paths, a symlink."""
    with zipfile.ZipFile(f"{OUT}/hostile-traversal.zip", "w") as z:
        add(z, "../../evil.md", "# Evil\n\nThis file tried to escape the archive.\n")
        add(z, "/etc/evil.md", "# Evil\n\nAn absolute path.\n")
        add(z, "good/readme.md", "# Good\n\nThe safe member says hello.\n")
    buf = io.BytesIO()
    with tarfile.open(f"{OUT}/hostile-symlink.tar", "w") as t:
        link = tarfile.TarInfo("passwd.md")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        link.mtime = 0
        t.addfile(link)
        data = "# Kept\n\nA regular member next to a symlink.\n".encode()
        info = tarfile.TarInfo("kept.md")
        info.size = len(data)
        info.mtime = 0
        t.addfile(info, io.BytesIO(data))


def bomb():
    """One member of 300 MiB of zeros (~300 KB compressed): over the
    per-member limit, and a ratio of ~1000:1."""
    with zipfile.ZipFile(f"{OUT}/hostile-bomb.zip", "w") as z:
        info = zipfile.ZipInfo("zeros.txt", STAMP)
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                f.write(chunk)


def notion():
    """A Notion-style export: pages with ids, a nested page, a database."""
    pid = "0123456789abcdef0123456789abcdef"
    cid = "fedcba9876543210fedcba9876543210"
    did = "00112233445566778899aabbccddeeff"
    with zipfile.ZipFile(f"{OUT}/notion-export.zip", "w") as z:
        add(z, f"Engineering Wiki {pid}.md",
            "# Engineering Wiki\n\nThe wiki collects how the platform team works.\n\n"
            f"[Deploy Guide](Engineering%20Wiki%20{pid}/Deploy%20Guide%20{cid}.md)\n")
        add(z, f"Engineering Wiki {pid}/Deploy Guide {cid}.md",
            "# Deploy Guide\n\nDeploys go out every Tuesday at 14:00 after the release review.\n\n"
            "## Rollback\n\nRun the rollback job from the release dashboard within 30 minutes.\n")
        add(z, f"Engineering Wiki {pid}/Services {did}.csv",
            "Name,Owner,Port\nbilling,Alice Chen,8443\nsearch,Bob Li,9200\n")
        add(z, f"Engineering Wiki {pid}/Services {did}_all.csv",
            "Name,Owner,Port\nbilling,Alice Chen,8443\nsearch,Bob Li,9200\nauth,Carol Wu,7001\n")
        add(z, f"Engineering Wiki {pid}/diagram.png", b"\x89PNG\r\n\x1a\nnot really a png")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    bundle()
    traversal()
    bomb()
    notion()

# The EPUB fixture is made with pandoc from a three-chapter Markdown book:
#   pandoc book.md -o tests/data/formats/epub-gardening.epub
# (book.md: a YAML title "园艺手册 Gardening Handbook" and chapters
# "第一章 土壤", "Chapter 2: Watering", "第三章 施肥").
