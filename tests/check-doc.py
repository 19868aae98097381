#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the reference's content against the GIR it documents.

    check-doc.py GIR DOC-DIR TOML MESON-BUILD

gi-docgen resolves the [class@…] links of the content pages, but not the
symbols written in their code: a C snippet that calls a function renamed
since, or a Python one that uses a method that never existed, would go
unnoticed. This reads every page in DOC-DIR and checks, printing TAP:

- that every page is listed in the generated TOML's content_files and in
  doc/meson.build's doc_content, and that both list only existing pages;
- that every C symbol a page names (pacer_…, Pacer…, PACER_…) is in the GIR,
  or is one of the environment variables of the runner;
- that every Pacer.Name.member a Python or JavaScript block uses exists:
  a constructor, method, static function, enum member or property;
- that every class, interface and boxed type of the GIR has a description
  with a fenced example, as the house style asks.
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

CORE = "{http://www.gtk.org/introspection/core/1.0}"
C = "{http://www.gtk.org/introspection/c/1.0}"
GLIB = "{http://www.gtk.org/introspection/glib/1.0}"

# Names a page may use that are not symbols: the runner's environment.
ENVIRONMENT = {
    "PACER_WORKER", "PACER_WORKER_COUNT", "PACER_TESTRUN_UID", "PACER_RUN_DIR",
    "PACER_TEARDOWN",
}


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, description, diagnostics=()):
        self.n += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} {description}")
        if not ok:
            self.failed += 1
            for line in diagnostics:
                print(f"# {line}")


def load_gir(path):
    namespace = ET.parse(path).getroot().find(CORE + "namespace")
    symbols = set()
    types = {}          # GIR name -> {member names}
    documented = []     # (kind, name, doc) of classes, interfaces, boxed types
    for element in namespace:
        kind = element.tag[len(CORE):]
        name = element.get("name")
        for attribute in (C + "identifier", C + "type", GLIB + "type-name"):
            if element.get(attribute):
                symbols.add(element.get(attribute))
        prefix = element.get(C + "symbol-prefix")
        if prefix is not None and kind in ("class", "interface", "record"):
            upper = prefix.upper()
            symbols.update({f"PACER_{upper}", f"PACER_TYPE_{upper}", f"PACER_IS_{upper}",
                            f"PACER_{upper}_CLASS", f"PACER_{upper}_GET_CLASS",
                            f"PACER_{upper}_GET_IFACE"})
        if kind in ("enumeration", "bitfield"):
            symbols.add("PACER_TYPE_" + re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper())
        members = set()
        for child in element:
            child_kind = child.tag[len(CORE):]
            if child.get(C + "identifier"):
                symbols.add(child.get(C + "identifier"))
            if child_kind in ("member",):
                members.add(child.get("name").upper())
            elif child_kind in ("method", "constructor", "function", "virtual-method"):
                members.add(child.get("name"))
            elif child_kind == "property":
                members.add(child.get("name").replace("-", "_"))
            elif child_kind == "field":
                members.add(child.get("name"))
        types[name] = members
        gtype_struct = element.get(GLIB + "is-gtype-struct-for")
        if kind in ("class", "interface") or (kind == "record" and gtype_struct is None
                                               and element.get(GLIB + "get-type")):
            doc = element.find(CORE + "doc")
            documented.append((kind, name, doc.text if doc is not None else ""))
    symbols.add("PACER_ERROR")
    return symbols, types, documented


def code_blocks(text):
    """Yields (language, body) for every fenced block of a Markdown page."""
    for match in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.M | re.S):
        yield match.group(1), match.group(2)


def listed_pages(path, pattern):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    match = re.search(pattern, text, re.S)
    return set(re.findall(r"'([^']+\.md)'|\"([^\"]+\.md)\"", match.group(1))) if match else set()


def flatten(pairs):
    return {a or b for a, b in pairs}


def is_file_name(name, text):
    # pacer_shared_NAME.json is the file a bucket or shared state keeps.
    return re.search(rf"\b{name}[A-Za-z0-9_]*\.json", text) is not None


def main():
    gir, doc_dir, toml, meson_build = sys.argv[1:5]
    symbols, types, documented = load_gir(gir)
    tap = Tap()

    pages = sorted(p for p in os.listdir(doc_dir) if p.endswith(".md"))
    in_toml = flatten(listed_pages(toml, r"content_files\s*=\s*\[(.*?)\]"))
    in_meson = flatten(listed_pages(meson_build, r"doc_content\s*=\s*files\((.*?)\)"))
    for listing, where in ((in_toml, "content_files of Pacer.toml.in"),
                           (in_meson, "doc_content of doc/meson.build")):
        tap.check(listing == set(pages), f"the pages are exactly those in {where}",
                  [f"missing: {sorted(set(pages) - listing)}",
                   f"not a page: {sorted(listing - set(pages))}"])

    for page in pages:
        with open(os.path.join(doc_dir, page), encoding="utf-8") as f:
            text = f.read()
        tap.check(text.startswith("Title: "), f"{page} starts with a Title: line")

        # Meson snippets name variables, not symbols; a name ending in _ is a prefix.
        prose = re.sub(r"^```meson\n.*?^```", "", text, flags=re.M | re.S)
        named = {n for n in re.findall(r"\b(pacer_[a-z0-9_]+|Pacer[A-Z][A-Za-z0-9]*|PACER_[A-Z0-9_]+)\b", prose)
                 if not n.endswith("_")}
        # pacer_shared_NAME.json is a file name, and pacer-run a program.
        unknown = sorted(n for n in named
                         if n not in symbols and n not in ENVIRONMENT and not is_file_name(n, text))
        tap.check(not unknown, f"{page} names only symbols of the GIR", [f"unknown: {n}" for n in unknown])

        bad = []
        for language, body in code_blocks(text):
            if language not in ("python", "py", "js", "javascript"):
                continue
            for type_name, member in re.findall(r"\bPacer\.([A-Z][A-Za-z0-9]*)\.([A-Za-z_][A-Za-z0-9_]*)", body):
                if type_name not in types:
                    bad.append(f"Pacer.{type_name} ({language})")
                elif member not in types[type_name] and member != "prototype":
                    bad.append(f"Pacer.{type_name}.{member} ({language})")
            for function in re.findall(r"\bPacer\.([a-z][a-z0-9_]*)\b", body):
                if f"pacer_{function}" not in symbols:
                    bad.append(f"Pacer.{function} ({language})")
            for name in re.findall(r"\bPacer\.([A-Z][A-Za-z0-9]*)\b", body):
                if name not in types:
                    bad.append(f"Pacer.{name} ({language})")
        tap.check(not bad, f"{page} uses only Pacer API that exists in its Python and JavaScript",
                  sorted(set(bad)))

    for kind, name, doc in documented:
        tap.check(re.search(r"^```", doc or "", re.M) is not None,
                  f"{kind} Pacer.{name} has a description with a fenced example")

    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
