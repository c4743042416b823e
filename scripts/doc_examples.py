#!/usr/bin/env python3
"""Compiles every C++ example of the documentation (called by scripts/doc_examples.sh).

Examples are the ```cpp blocks of README.md and docs/**/*.md and the `@code ... @endcode`
blocks of include/respan/**/*.hpp (the `///` prefix stripped). Each is compiled as C++17 with
-Wall -Wextra -Wpedantic -Werror -fsyntax-only against include/ and the build's generated
headers, by g++ and, when installed, clang++:

- a whole program (a block holding `int main`) is its own translation unit, after
  `#include <respan/respan.hpp>` and `<respan/testing/mock_server.hpp>`: it includes the
  standard headers it uses itself;
- any other block is a fragment: its `#include` lines go to the top of the file and the rest
  becomes the body of a function whose parameters provide the names the documentation takes
  as given (`client`, `span`, `tracer`, `logger`, `server`, ... see FRAGMENT_PARAMS), inside an
  inner block so that a fragment may declare its own `client`. A fragment may `return` any
  value. All fragments share one translation unit (one compiler run), each in its own
  function, with `#line` directives so that diagnostics name the documentation's file:line.

A block that is not meant to compile says so on its first line, `// not compiled: <reason>`;
it is listed, never skipped silently. Shell and other languages use their own fence
(```sh, ```text, ...), which this script does not read.

Usage: doc_examples.py [--build DIR] [--jobs N] [--keep DIR]
"""

import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FLAGS = ["-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only"]

# What a whole program gets before its own lines.
PROGRAM_PRELUDE = """\
#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>
"""

# What every fragment may use without declaring it: the SDK, the mock server, the standard
# headers the snippets rely on, and the user's own functions the documentation refers to.
FRAGMENT_PRELUDE = """\
#include <chrono>
#include <cstdint>
#include <future>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>
{gtest}
namespace doc_examples {{
// A fragment may `return` anything (an exit status, an Error, the user's fallback value).
struct AnyReturn {{
  AnyReturn() = default;
  template <class T>
  AnyReturn(T&&) {{}}  // NOLINT: implicit on purpose
}};
}}  // namespace doc_examples

// The user's own code, as the examples name it.
std::vector<respan::DatasetLog> load_cases();
template <class... A>
int fallback(const A&...);
template <class... A>
void log_warning(const A&...);
template <class... A>
void use(const A&...);
template <class... A>
void my_code_that_logs(A&...);
"""

# The names a fragment takes as given (its function's parameters).
FRAGMENT_PARAMS = [
    "respan::RespanClient& client",
    "respan::RequestLog span",
    "respan::Tracer& tracer",
    "respan::BatchLogger& logger",
    "respan::testing::MockServer& server",
    "respan::RequestLogListQuery query",
    "std::vector<respan::DatasetLog> many_logs",
    "respan::DatasetRecord ds",
    "std::string id",
    "std::string tid",
    "std::string org",
    "std::string prompt_id",
    "std::string question",
]

NOT_COMPILED = re.compile(r"^\s*//\s*not compiled:\s*(.*\S)")
MAIN = re.compile(r"\bint\s+main\s*\(")
INCLUDE = re.compile(r"^\s*#\s*include\b")


class Block:
    def __init__(self, path, line, text):
        self.path = path  # relative to ROOT
        self.line = line  # line of the first code line in the file
        self.text = text  # the code, prefix stripped
        self.index = 0

    @property
    def where(self):
        return f"{self.path}:{self.line - 1}"  # the fence / @code line


def markdown_blocks(path):
    lines = open(os.path.join(ROOT, path), encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        m = re.match(r"^(\s*)```(?:cpp|c\+\+)\s*$", lines[i])
        if not m:
            i += 1
            continue
        indent, j = len(m.group(1)), i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            j += 1
        if j == len(lines):
            raise SystemExit(f"{path}:{i + 1}: unterminated code block")
        body = [ln[indent:] if ln[:indent].strip() == "" else ln for ln in lines[i + 1 : j]]
        out.append(Block(path, i + 2, "\n".join(body)))
        i = j + 1
    return out


def header_blocks(path):
    lines = open(os.path.join(ROOT, path), encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        if not re.match(r"^\s*///\s*@code\b", lines[i]):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*///\s*@endcode\b", lines[j]):
            j += 1
        if j == len(lines):
            raise SystemExit(f"{path}:{i + 1}: @code without @endcode")
        body = []
        for ln in lines[i + 1 : j]:
            m = re.match(r"^\s*/// ?(.*)$", ln)
            if not m:
                raise SystemExit(f"{path}:{lines.index(ln) + 1}: @code line without ///")
            body.append(m.group(1))
        out.append(Block(path, i + 2, "\n".join(body)))
        i = j + 1
    return out


def collect():
    md = ["README.md"] + sorted(glob.glob("docs/**/*.md", root_dir=ROOT, recursive=True))
    hpp = sorted(glob.glob("include/respan/**/*.hpp", root_dir=ROOT, recursive=True))
    blocks = []
    for f in md:
        blocks += markdown_blocks(f)
    for f in hpp:
        blocks += header_blocks(f)
    for n, b in enumerate(blocks):
        b.index = n
    return blocks


def line_directive(block):
    return f'#line {block.line} "{block.path}"\n'


def fragment_unit(fragments):
    includes, bodies = [], []
    uses_gtest = False
    for b in fragments:
        lines = b.text.split("\n")
        kept = []
        for ln in lines:
            if INCLUDE.match(ln):
                includes.append(ln.strip())
                kept.append("")  # keep the line numbers
            else:
                kept.append(ln)
        if re.search(r"\b(EXPECT|ASSERT)_[A-Z_]+\s*\(", b.text):
            uses_gtest = True
        params = ",\n    ".join("[[maybe_unused]] " + p for p in FRAGMENT_PARAMS)
        bodies.append(
            f"namespace doc_block_{b.index} {{\n"
            f"doc_examples::AnyReturn run(\n    {params}) {{\n"
            "  {\n" + line_directive(b) + "\n".join(kept) + "\n"
            "  }\n  return {};\n}\n}\n"
        )
    gtest = "#include <gtest/gtest.h>\n" if uses_gtest else ""
    head = "\n".join(dict.fromkeys(includes)) + "\n"
    return head + FRAGMENT_PRELUDE.format(gtest=gtest) + "\n".join(bodies)


def program_unit(block):
    return PROGRAM_PRELUDE + line_directive(block) + block.text + "\n"


CONTEXT = re.compile(
    r"^In file included from |^\s+from \S+:\d+[,:]$|: In [a-z ]+[ :]|: At global scope:"
    r"|^\S+:\d+:\d+:\s+required (from|by) "
)
LOCATION = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?:\d+:)? (?P<kind>fatal error|error|warning|note):")


ANY_LOCATION = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):")


def attribute(output, blocks):
    """Maps compiler output to blocks: {block index: [lines]}, and the errors no block owns.

    The output is cut into records, each starting at an error or warning (with the context
    lines before it, "In function ..."); a record belongs to the block holding its location,
    or else the first of its notes' locations that a block holds ("required from here")."""
    ranges = {}
    for b in blocks:
        n = b.text.count("\n") + 1
        ranges.setdefault(b.path, []).append((b.line, b.line + n - 1, b.index))

    def owner(line):
        m = ANY_LOCATION.match(line)
        if not m:
            return None
        for lo, hi, idx in ranges.get(m.group("file"), []):
            if lo <= int(m.group("line")) <= hi:
                return idx
        return None

    records, context = [], []
    for ln in output.splitlines():
        m = LOCATION.match(ln)
        if m and m.group("kind") != "note":
            records.append(context + [ln])
            context = []
        elif CONTEXT.search(ln) or not records:
            # Only "required from" lines tell where an error in a header comes from; the
            # include stack and the generated function's name are noise.
            if "required from" in ln or "required by" in ln:
                context.append(ln)
        else:
            records[-1].append(ln)
    by_block, orphan = {}, []
    for rec in records:
        idx = next((o for o in map(owner, rec) if o is not None), None)
        (by_block.setdefault(idx, []) if idx is not None else orphan).extend(rec)
    return by_block, orphan


def compile_source(compiler, source, includes, name, keep):
    fd, path = tempfile.mkstemp(suffix=".cpp", prefix=name + "-", dir=keep)
    with os.fdopen(fd, "w") as f:
        f.write(source)
    cmd = [compiler] + FLAGS + [f"-I{d}" for d in includes] + [path]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if keep is None:
        os.unlink(path)
    return proc.returncode, proc.stdout + proc.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/dev")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", help="keep the generated sources in this directory")
    args = ap.parse_args()
    start = time.monotonic()

    generated = os.path.join(ROOT, args.build, "generated", "include")
    if not os.path.isfile(os.path.join(generated, "respan", "version.hpp")):
        raise SystemExit(f"{generated}/respan/version.hpp is missing: configure {args.build} first")
    includes = [os.path.join(ROOT, "include"), generated]
    compilers = [c for c in ("g++", "clang++") if shutil.which(c)]
    if "g++" not in compilers:
        raise SystemExit("g++ is required")
    keep = os.path.abspath(args.keep) if args.keep else None
    if keep:
        os.makedirs(keep, exist_ok=True)

    blocks = collect()
    skipped = [b for b in blocks if NOT_COMPILED.match(b.text.split("\n", 1)[0])]
    compiled = [b for b in blocks if b not in skipped]
    programs = [b for b in compiled if MAIN.search(b.text)]
    fragments = [b for b in compiled if b not in programs]

    jobs = []  # (compiler, source, name, blocks it covers)
    for c in compilers:
        if fragments:
            jobs.append((c, fragment_unit(fragments), "fragments", fragments))
        for b in programs:
            jobs.append((c, program_unit(b), f"program{b.index}", [b]))

    failed = {}  # block index -> [(compiler, lines)]
    unowned = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [
            (pool.submit(compile_source, c, src, includes, name, keep), c, covered)
            for c, src, name, covered in jobs
        ]
        for fut, c, covered in futures:
            rc, out = fut.result()
            if rc == 0:
                continue
            by_block, orphan = attribute(out, covered)
            for idx, lines in by_block.items():
                failed.setdefault(idx, []).append((c, lines))
            if orphan or not by_block:
                unowned.append((c, orphan or out.splitlines()))

    files = sorted({b.path for b in compiled})
    for b in skipped:
        reason = NOT_COMPILED.match(b.text.split("\n", 1)[0]).group(1)
        print(f"not compiled (marked): {b.where}: {reason}")
    elapsed = time.monotonic() - start
    print(
        f"doc examples: {len(compiled)} blocks ({len(programs)} programs, {len(fragments)} "
        f"fragments) from {len(files)} files, {len(skipped)} marked not compiled; "
        f"compilers: {', '.join(compilers)}; {elapsed:.1f} s"
    )
    if not failed and not unowned:
        return 0
    for b in blocks:
        for c, lines in failed.get(b.index, []):
            print(f"\nFAILED {b.where} ({c}):")
            print("\n".join("  " + ln for ln in lines))
    for c, lines in unowned:
        print(f"\nFAILED outside any example ({c}):")
        print("\n".join("  " + ln for ln in lines[:60]))
    print(f"\n{len(failed)} of {len(compiled)} examples fail to compile", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
