"""The folder tree of corpus.py's deep shape: folders handed out lazily, one endless stream per kind of place.

A backed-up home or project share is not forty files to a folder two levels down. It has source trees several
levels deep, node_modules with many tiny folders (packages inside packages), mail stored by year and month with a
few folders of hundreds of messages, photo folders by date, a downloads folder with hundreds of files. Each stream
below yields (folder, capacity) depth first; corpus.py asks for the next file's place in a stream and gets the
current folder until its capacity is used up. Folders are made only when a file lands in them, so the tree has no
empty folders and grows with the corpus: the folder count scales with the file count.

Deterministic: the tree has its own random.Random, so the layout does not shift the file contents' random stream.
"""

import itertools

MAX_DEPTH = 8  # folder levels below the corpus root; files sit at depth 2 to MAX_DEPTH

# Where each kind of file goes, by weight (duplicates go to the stream of the file they copy).
TEXT_STREAMS = {"source": 35, "packages": 25, "mail": 20, "documents": 20}
RANDOM_STREAMS = {"photos": 50, "archives": 30, "downloads": 20}
DATABASE_STREAM = "appdata"

EXTENSIONS = {
    "source": [".c", ".h", ".py", ".cs", ".go", ".js", ".md", ".txt", ".json", ".yml"],
    "packages": [".js", ".js", ".js", ".json", ".md", ".ts", ".map"],
    "mail": [".eml"],
    "documents": [".txt", ".md", ".csv", ".tex", ".html"],
    "photos": [".jpg", ".jpg", ".jpg", ".heic", ".png"],
    "archives": [".tar.gz", ".7z", ".bin", ".zst"],
    "downloads": [".zip", ".pdf", ".gz", ".iso", ".deb"],
    "appdata": [".db", ".sqlite"],
}


def depth(folder):
    return folder.count("/") + 1


class Tree:
    def __init__(self, rng, names):
        self.rng = rng
        self.names = names
        self.streams = {
            "source": self.source(), "packages": self.packages(), "mail": self.mail(), "documents": self.documents(),
            "photos": self.photos(), "archives": self.archives(), "downloads": self.downloads(),
            "appdata": self.appdata(),
        }
        self.current = {}  # stream -> (folder, files it still takes)

    def stream_for(self, kind):
        """The stream a new file of this kind (text, random, database) goes to."""
        if kind == "database":
            return DATABASE_STREAM
        weights = TEXT_STREAMS if kind == "text" else RANDOM_STREAMS
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def place(self, stream, index, extension=None):
        """The relative path of the next file in this stream; index makes the name unique."""
        folder, remaining = self.current.get(stream, ("", 0))
        while remaining == 0:
            folder, remaining = next(self.streams[stream])
        self.current[stream] = (folder, remaining - 1)
        if extension is None:
            extension = self.rng.choice(EXTENSIONS[stream])
        return f"{folder}/{self.word()}-{index:05d}{extension}"

    def word(self):
        return self.names[self.rng.randrange(len(self.names))]

    def capacity(self):
        """Uneven fan-out: most folders hold a handful of files, a few hold hundreds."""
        roll = self.rng.randrange(100)
        if roll < 65:
            return self.rng.randint(1, 6)
        if roll < 87:
            return self.rng.randint(7, 20)
        if roll < 98:
            return self.rng.randint(21, 50)
        return self.rng.randint(100, 300)

    def small_capacity(self):
        return self.rng.randint(1, 10)

    def nested(self, base, levels, children=(0, 1, 1, 2, 2, 3, 5), capacity=None):
        """base, then a random subtree under it (at most `levels` more, never below MAX_DEPTH), depth first."""
        capacity = capacity or self.capacity
        yield base, capacity()
        if levels > 0 and depth(base) < MAX_DEPTH:
            for _ in range(self.rng.choice(children)):
                yield from self.nested(f"{base}/{self.word()}", levels - 1, children, capacity)

    def source(self):
        # projects/NAME/src/... three to eight deep, with tests/ and docs/ beside.
        for number in itertools.count():
            project = f"projects/{self.word()}-{number}"
            yield project, self.rng.randint(1, 4)
            yield from self.nested(f"{project}/src", self.rng.randint(1, 5))
            yield from self.nested(f"{project}/tests", self.rng.randint(0, 2))
            yield f"{project}/docs", self.rng.randint(2, 30)

    def packages(self):
        # projects/web-N/node_modules/PACKAGE/lib/..., a fifth of the packages with their own node_modules.
        for number in itertools.count():
            yield from self.package_tree(f"projects/web-{number}/node_modules", self.rng.randint(15, 60))

    def package_tree(self, base, count):
        for _ in range(count):
            package = f"{base}/{self.word()}"
            yield package, self.rng.randint(1, 3)
            yield from self.nested(f"{package}/lib", self.rng.randint(0, 2), (0, 0, 1, 2), self.small_capacity)
            if depth(package) + 3 <= MAX_DEPTH and self.rng.randrange(5) == 0:
                yield from self.package_tree(f"{package}/node_modules", self.rng.randint(1, 4))

    def mail(self):
        # mail/ACCOUNT/YEAR/MONTH: the few big folders (up to 400 messages).
        for number in itertools.count():
            account = f"mail/{self.word()}-{number}"
            for year in range(2012, 2027):
                for month in range(1, 13):
                    roll = self.rng.randrange(10)
                    size = self.rng.randint(3, 30) if roll < 7 else self.rng.randint(30, 100) if roll < 9 else \
                        self.rng.randint(150, 400)
                    yield f"{account}/{year}/{month:02d}", size

    def documents(self):
        for number in itertools.count():
            yield from self.nested(f"documents/{self.word()}-{number}", self.rng.randint(1, 5))

    def photos(self):
        # photos/YEAR/YYYY-MM-DD_EVENT
        for year in itertools.count(2005):
            for _ in range(self.rng.randint(5, 25)):
                month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
                yield f"photos/{year}/{year}-{month:02d}-{day:02d}_{self.word()}", self.rng.randint(3, 40)

    def archives(self):
        for number in itertools.count():
            yield from self.nested(f"archives/{self.word()}-{number}", self.rng.randint(1, 3))

    def downloads(self):
        for year in itertools.count(2010):
            yield f"downloads/{year}", self.rng.randint(100, 300)

    def appdata(self):
        for number in itertools.count():
            yield f"appdata/{self.word()}-{number}/{self.word()}/data", self.rng.randint(1, 2)
