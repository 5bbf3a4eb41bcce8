#!/usr/bin/env python3
"""A deterministic backup corpus for side-by-side benchmarks (bench/restic-compare.sh, bench/scale.sh).

The byte mix follows tests/Ztdr.Backup.Tests/Chunking/MixedCorpus.cs, the corpus used to choose ztdr's chunk and
compression parameters: by bytes about 40% text-like, 30% incompressible, 20% exact and near duplicates of earlier
files, 10% database-like 8 KiB pages. It differs in one way on purpose: more small files (70% of files are under
16 KiB), because per-file cost is part of what a backup tool is judged on and MixedCorpus, held in memory, keeps
its file count low.

Two shapes of tree. deep (the default) looks like a real share: per GiB about 15,000-16,000 files in 1,100+ folders,
2 to 8 levels deep, uneven fan-out (source trees, node_modules, mail by year and month with a few folders of
hundreds of messages, photos, downloads; see corpus_tree.py), most files 100 B-16 KiB and a few up to 32 MiB; a
smaller size keeps about the same files and folders per byte. flat is the first layout, kept byte for byte because
the earlier figures in docs/benchmarks.md were made with it: 40 files to a folder, two levels, about 1,800 files
per GiB.

  corpus.py generate --out DIR [--size 1G] [--shape deep|flat] [--seed 1]   a new corpus in DIR (must not exist)
  corpus.py change --out DIR [--seed 1]          edit about 2% of the files, add one (either shape); prints what it did
  corpus.py small --out DIR --files N [--seed 1] N small files (100 B-4 KiB, mostly text), ~100 to a folder, three
                                                 levels (bench/scale.sh: how cost grows with the file count)

All are deterministic: the same seed and size give the same bytes, file names and edits (Python's random module,
Mersenne Twister, whose seeded output is stable across Python 3 versions). Standard library only.
"""

import argparse
import math
import os
import random
import struct
import sys

from corpus_tree import Tree

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

    def text(self, size, piece_words=4096):
        # Small files ask for smaller pieces: 4096 words is ~25 KiB, most of it thrown away for a 1 KiB file.
        parts = []
        length = 0
        while length < size:
            piece = "".join(self.rng.choices(self.tokens, cum_weights=self.cumulative, k=piece_words))
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


class DeepSizes:
    """File sizes for the deep shape, skewed small as in a home share: about 80% 100 B-16 KiB, 17% 16-128 KiB, 3%
    128 KiB-1 MiB and LARGE_SHARE large (log-uniform 1-32 MiB). The size class furthest below its share of the files
    so far goes next, and the large sizes are spread evenly over their range (golden-ratio steps from a random
    start), so the file count of a corpus varies little with the seed. When `largest` caps the large files (small
    corpora) they become more common and keep their share of the bytes, so files per byte stay about the same."""

    LARGE_SHARE = 0.0025

    def __init__(self, rng, largest):
        self.rng = rng
        self.largest = largest
        self.low = min(MIB, largest)
        full_mean = (32 * MIB - MIB) / math.log(32)
        capped_mean = (largest - self.low) / math.log(largest / self.low) if largest > self.low else self.low
        large = min(0.2, self.LARGE_SHARE * full_mean / capped_mean)
        self.shares = [1 - large - 0.2, 0.17, 0.03, large]
        self.taken = [0, 0, 0, 0]
        self.step = rng.random()

    @staticmethod
    def size_class(size):
        return 0 if size <= 16 * KIB else 1 if size <= 128 * KIB else 2 if size <= MIB else 3

    def next_class(self):
        done = sum(self.taken) + 1
        size_class = max(range(4), key=lambda c: self.shares[c] * done - self.taken[c])
        self.taken[size_class] += 1
        return size_class

    def next(self):
        size_class = self.next_class()
        if size_class == 0:
            return self.rng.randint(100, 16 * KIB)
        if size_class == 1:
            return min(self.largest, self.rng.randint(16 * KIB, 128 * KIB))
        if size_class == 2:
            return min(self.largest, self.rng.randint(128 * KIB, MIB))
        return self.next_large()

    def next_large(self):
        self.step = (self.step + 0.6180339887498949) % 1.0
        return int(math.exp(math.log(self.low) + self.step * math.log(self.largest / self.low)))


def short_text_words(size):
    """Words enough for `size` bytes of text in one piece, most of the time (a word and its space average ~6.4 B)."""
    return min(4096, size // 5 + 8)


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


def tree_summary(files):
    """Folder count and deepest folder level (below the corpus root) of relative file paths."""
    folders = set()
    deepest = 0
    for relative in files:
        parts = relative.split(os.sep)[:-1]
        deepest = max(deepest, len(parts))
        for level in range(1, len(parts) + 1):
            folders.add(os.sep.join(parts[:level]))
    return len(folders), deepest


def summary(shape, files, counts, seed, out):
    total_bytes = sum(counts.values())
    shares = ", ".join(f"{kind} {100 * size / total_bytes:.0f}%" for kind, size in counts.items())
    folders, deepest = tree_summary(files)
    return (f"corpus: shape {shape}, {len(files)} files in {folders} folders (max depth {deepest}), "
            f"{total_bytes / MIB:.1f} MiB ({shares}), seed {seed}, in {out}")


def new_folder(out):
    if os.path.exists(out):
        sys.exit(f"corpus.py: {out} already exists; remove it or choose another folder")


def generate_flat(out, total, seed):
    new_folder(out)
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

    print(summary("flat", files, counts, seed, out))


def generate_deep(out, total, seed):
    """The same kinds and byte shares as flat, chosen the same way, placed in corpus_tree's deep tree."""
    new_folder(out)
    rng = random.Random(seed)
    words = Words(rng)
    tree = Tree(random.Random(f"corpus-tree-{seed}"), words.names)
    os.makedirs(out)
    files = []  # relative paths
    streams = []  # the tree stream of each file, for its duplicates
    counts = {"text": 0, "random": 0, "duplicate": 0, "database": 0}

    def add(kind, stream, data, extension=None):
        if kind != "database":
            by_class[DeepSizes.size_class(len(data))].append(len(files))
        relative = tree.place(stream, len(files), extension)
        write(out, relative, data)
        files.append(relative)
        streams.append(stream)
        sizes_written.append(len(data))
        counts[kind] += len(data)

    shares = {"text": 0.4, "random": 0.3, "duplicate": 0.2, "database": 0.1}
    largest = max(64 * KIB, min(32 * MIB, total // 16))
    sizes = DeepSizes(rng, largest)
    # Duplicates copy an earlier text or random file of a size class taken by the same turns as new files, so a run
    # of copies of large files cannot swing the file count; databases are not copied.
    duplicate_sizes = DeepSizes(rng, largest)
    by_class = [[], [], [], []]
    sizes_written = []
    while sum(counts.values()) < total:
        done = sum(counts.values()) + 1
        kinds = [k for k in shares if k != "duplicate" or len(files) > 10]
        kind = max(kinds, key=lambda k: shares[k] * done - counts[k])
        if kind == "duplicate":
            size_class = duplicate_sizes.next_class()
            candidates = by_class[size_class] or next(c for c in by_class if c)
            if size_class == 3 and by_class[3]:
                # Large copies too are spread evenly: the earlier large file nearest a golden-ratio step.
                wanted = math.log(duplicate_sizes.next_large())
                source = min(candidates, key=lambda c: abs(math.log(sizes_written[c]) - wanted))
            else:
                source = candidates[rng.randrange(len(candidates))]
            with open(os.path.join(out, files[source]), "rb") as f:
                data = f.read()
            if rng.randrange(2) == 1:
                data = near_duplicate(rng, words, data)
            name = os.path.basename(files[source])
            extension = name[len(name.split(".")[0]):]
            add("duplicate", streams[source], data, extension)
        elif kind == "database":
            pages = min(rng.randint(256, 2047), max(16, total // 20 // PAGE))
            add("database", tree.stream_for("database"), database(rng, words, PAGE * pages))
        elif kind == "random":
            add("random", tree.stream_for("random"), rng.randbytes(sizes.next()))
        else:
            size = sizes.next()
            add("text", tree.stream_for("text"), words.text(size, short_text_words(size)))
    print(summary("deep", files, counts, seed, out))


def generate_small(out, count, seed):
    """COUNT files of 100 B-4 KiB (85% text, 10% incompressible, 5% exact copies of a recent file), 50-150 to a
    folder, in top/middle/leaf folders (20 leaves to a middle, 20 middles to a top)."""
    new_folder(out)
    rng = random.Random(seed)
    words = Words(rng)
    os.makedirs(out)
    files = []
    recent = []  # the last few hundred contents, for exact copies
    counts = {"text": 0, "random": 0, "duplicate": 0}
    folder, remaining = -1, 0
    for index in range(count):
        if remaining == 0:
            folder += 1
            remaining = rng.randint(50, 150)
            relative_folder = os.path.join(f"t{folder // 400:03d}", f"m{folder // 20 % 20:02d}", f"d{folder % 20:02d}")
            os.makedirs(os.path.join(out, relative_folder))
        remaining -= 1
        roll = rng.randrange(100)
        if roll < 5 and recent:
            kind, data = "duplicate", recent[rng.randrange(len(recent))]
        elif roll < 15:
            kind, data = "random", rng.randbytes(rng.randint(100, 4 * KIB))
        else:
            size = rng.randint(100, 4 * KIB)
            kind, data = "text", words.text(size, short_text_words(size))
        recent.append(data)
        if len(recent) > 512:
            recent.pop(0)
        relative = os.path.join(relative_folder, f"f{index:06d}{'.bin' if kind == 'random' else '.txt'}")
        with open(os.path.join(out, relative), "wb") as f:
            f.write(data)
        files.append(relative)
        counts[kind] += len(data)
    print(summary("small", files, counts, seed, out))


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
    parser.add_argument("action", choices=["generate", "change", "small"])
    parser.add_argument("--out", required=True, help="corpus folder")
    parser.add_argument("--size", default="1G", help="total bytes for generate, e.g. 64M or 1G (default 1G)")
    parser.add_argument("--shape", choices=["deep", "flat"], default="deep", help="tree for generate (default deep)")
    parser.add_argument("--files", type=int, help="file count for small")
    parser.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    args = parser.parse_args()
    if args.action == "generate":
        (generate_deep if args.shape == "deep" else generate_flat)(args.out, parse_size(args.size), args.seed)
    elif args.action == "small":
        if args.files is None or args.files < 1:
            parser.error("small needs --files N (N >= 1)")
        generate_small(args.out, args.files, args.seed)
    else:
        change(args.out, args.seed)


if __name__ == "__main__":
    main()
