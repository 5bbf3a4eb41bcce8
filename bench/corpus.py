#!/usr/bin/env python3
"""A deterministic backup corpus for side-by-side benchmarks (bench/restic-compare.sh).

The shape follows tests/Ztdr.Backup.Tests/Chunking/MixedCorpus.cs, the corpus used to choose ztdr's chunk and
compression parameters: by bytes about 40% text-like, 30% incompressible, 20% exact and near duplicates of earlier
files, 10% database-like 8 KiB pages. It differs in one way on purpose: more small files (70% of files are under
16 KiB), because per-file cost is part of what a backup tool is judged on and MixedCorpus, held in memory, keeps
its file count low.

  corpus.py generate --out DIR [--size 1G] [--seed 1]   a new corpus in DIR (which must not exist)
  corpus.py change --out DIR [--seed 1]                 edit about 2% of the files, add one; prints what it did

Both are deterministic: the same seed and size give the same bytes, file names and edits (Python's random module,
Mersenne Twister, whose seeded output is stable across Python 3 versions). Standard library only.
"""

import argparse
import os
import random
import struct
import sys

PAGE = 8192
KIB = 1024
MIB = 1024 * 1024


def parse_size(text):
    units = {"k": KIB, "m": MIB, "g": 1024 * MIB}
    text = text.strip().lower().removesuffix("ib").removesuffix("b")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


class Words:
    """Zipf-weighted words, so text compresses roughly like prose or source code (zstd about 2.5-3x)."""

    def __init__(self, rng):
        self.rng = rng
        vocabulary = set()
        while len(vocabulary) < 4000:
            vocabulary.add("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10))))
        vocabulary = sorted(vocabulary)
        rng.shuffle(vocabulary)
        self.tokens = [w + " " for w in vocabulary] + ["\n"]
        weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
        # About one line break every 10 words.
        weights.append(sum(weights) / 9)
        self.cumulative = []
        running = 0.0
        for weight in weights:
            running += weight
            self.cumulative.append(running)
        self.names = vocabulary[:200]

    def text(self, size):
        parts = []
        length = 0
        while length < size:
            piece = "".join(self.rng.choices(self.tokens, cum_weights=self.cumulative, k=4096))
            parts.append(piece)
            length += len(piece)
        return "".join(parts).encode("ascii")[:size]

    def line(self):
        return ("".join(self.rng.choices(self.tokens[:-1], cum_weights=self.cumulative[:-1], k=self.rng.randint(4, 15)))
                .rstrip() + "\n").encode("ascii")


def database(rng, words, size):
    """8 KiB pages: a page number, fixed-width rows (id, counter, short name), then zeroed free space."""
    data = bytearray(size)
    row = struct.Struct("<qi4x48s")
    for page in range(size // PAGE):
        base = page * PAGE
        struct.pack_into("<i", data, base, page)
        for r in range(rng.randrange(120)):
            name = words.names[rng.randrange(len(words.names))].encode("ascii")
            row.pack_into(data, base + 32 + r * 64, page * 1000 + r, rng.randrange(100_000), name)
    return bytes(data)


def file_size(rng, largest):
    """Many small files, a few large: 70% 100 B-16 KiB, 22% 16-256 KiB, 6% 256 KiB-4 MiB, 2% 4-32 MiB (at most largest)."""
    roll = rng.randrange(100)
    if roll < 70:
        return rng.randint(100, 16 * KIB)
    if roll < 92:
        return rng.randint(16 * KIB, 256 * KIB)
    if roll < 98:
        return rng.randint(256 * KIB, 4 * MIB)
    return rng.randint(min(4 * MIB, largest), largest)


def insert(rng, data, inserted):
    at = rng.randint(0, len(data))
    return data[:at] + inserted + data[at:]


def overwrite(rng, data, length):
    length = min(length, len(data))
    at = rng.randint(0, len(data) - length)
    return data[:at] + rng.randbytes(length) + data[at + length:]


def near_duplicate(rng, words, data):
    for _ in range(3):
        data = insert(rng, data, words.line()) if rng.randrange(2) == 0 else overwrite(rng, data, 512)
    return data


def database_edit(rng, data):
    """Rewrites one row in about 1% of the pages, as a day of updates to a database file would."""
    copy = bytearray(data)
    pages = max(1, len(copy) // PAGE)
    for _ in range(max(1, pages // 100)):
        offset = rng.randrange(pages) * PAGE + 32
        end = min(offset + 64, len(copy))
        if end > offset:
            copy[offset:end] = rng.randbytes(end - offset)
    return bytes(copy)


def write(root, relative, data):
    path = os.path.join(root, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def generate(out, total, seed):
    if os.path.exists(out):
        sys.exit(f"corpus.py: {out} already exists; remove it or choose another folder")
    rng = random.Random(seed)
    words = Words(rng)
    os.makedirs(out)
    files = []  # (relative path, size, kind)
    counts = {"text": 0, "random": 0, "duplicate": 0, "database": 0}

    def add(kind, extension, data):
        # 40 files a folder, folders two deep: a tree a real backup set would not be ashamed of.
        index = len(files)
        relative = os.path.join(f"d{index // 1600:02d}", f"s{index // 40 % 40:02d}", f"f{index:05d}{extension}")
        write(out, relative, data)
        files.append(relative)
        counts[kind] += len(data)

    # The kind furthest below its share goes next, so small corpora keep the shape too.
    shares = {"text": 0.4, "random": 0.3, "duplicate": 0.2, "database": 0.1}
    largest = max(64 * KIB, min(32 * MIB, total // 16))
    while sum(counts.values()) < total:
        done = sum(counts.values()) + 1
        kinds = [k for k in shares if k != "duplicate" or len(files) > 10]
        kind = max(kinds, key=lambda k: shares[k] * done - counts[k])
        if kind == "duplicate":
            source = files[rng.randrange(len(files))]
            with open(os.path.join(out, source), "rb") as f:
                data = f.read()
            if rng.randrange(2) == 1:
                data = near_duplicate(rng, words, data)
            add("duplicate", os.path.splitext(source)[1], data)
        elif kind == "database":
            add("database", ".db", database(rng, words, PAGE * min(rng.randint(1024, 4095), max(16, total // 20 // PAGE))))
        elif kind == "random":
            add("random", ".bin", rng.randbytes(file_size(rng, largest)))
        else:
            add("text", ".txt", words.text(file_size(rng, largest)))

    total_bytes = sum(counts.values())
    shares = ", ".join(f"{kind} {100 * size / total_bytes:.0f}%" for kind, size in counts.items())
    print(f"corpus: {len(files)} files, {total_bytes / MIB:.1f} MiB ({shares}), seed {seed}, in {out}")


def change(out, seed):
    """About 2% of the files edited (insert a line, overwrite 4 KiB, append a line, database rows), one file added."""
    files = sorted(os.path.relpath(os.path.join(d, n), out) for d, _, names in os.walk(out) for n in names)
    if not files:
        sys.exit(f"corpus.py: no files in {out}")
    rng = random.Random(seed * 1_000_003 + len(files))
    words = Words(rng)
    chosen = rng.sample(files, max(1, len(files) // 50))
    changed = 0
    for number, relative in enumerate(chosen):
        path = os.path.join(out, relative)
        with open(path, "rb") as f:
            data = f.read()
        kind = number % 4
        if kind == 0:
            data = insert(rng, data, words.line())
        elif kind == 1:
            data = overwrite(rng, data, 4096)
        elif kind == 2:
            data = data + words.line()
        else:
            data = database_edit(rng, data)
        with open(path, "wb") as f:
            f.write(data)
        changed += len(data)
    write(out, os.path.join("new", f"added-{len(files):05d}.txt"), words.text(256 * KIB))
    print(f"changed {len(chosen)} of {len(files)} files ({changed / MIB:.1f} MiB), added 1 file (0.25 MiB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["generate", "change"])
    parser.add_argument("--out", required=True, help="corpus folder")
    parser.add_argument("--size", default="1G", help="total bytes for generate, e.g. 64M or 1G (default 1G)")
    parser.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    args = parser.parse_args()
    if args.action == "generate":
        generate(args.out, parse_size(args.size), args.seed)
    else:
        change(args.out, args.seed)


if __name__ == "__main__":
    main()
