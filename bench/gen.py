#!/usr/bin/env python3
"""The benchmark workload: N realistic, unique, reproducible input files.

    python3 bench/gen.py --out DIR --n 20000 [--seed 1] [--start 0] [--size BYTES]
                         [--sources DIR ...]

Each file is a scraped Vietnamese news article the way enrichd receives them:
it starts from one real article (page leftovers, title, captions, byline and
all), then

- mixes paragraphs: some body paragraphs are replaced by paragraphs of other
  articles, some dropped, some swapped; new paragraphs are made from sentences
  of any article;
- varies names, dates and numbers: every person named after a rank or an
  honorific gets another Vietnamese name (the same one throughout the file),
  every date (`14-4`, `29/05/2023`, `năm 2016`) another valid date, every
  other number other digits of the same length;
- pads or trims the body to a target size in bytes (UTF-8), cutting at a word.

Target sizes: 99% log-normal with a median of 5 KiB (sigma 0.6, clipped to
1 KiB..64 KiB), 1% log-uniform between 64 KiB and 1 MiB (the long tail: live
blogs, transcripts, reports). `--size` gives every file that size instead.

File i is a function of (seed, size, i) only, so `--n 1000` makes the first
1000 files of `--n 100000`, byte for byte, on any machine (Python's
`random.Random(str)` is seeded from the string's SHA-512, independent of
PYTHONHASHSEED). Names: `a0000000.txt`, … (`s<size>_0000000.txt` with
`--size`). Files are checked to be unique by SHA-256 (enrichd's ledger skips
content it has already delivered): a collision is an error.

Sources (default: ../shared/eval/dev and ../shared/eval/more from the repo
root): every `*.txt` in the given folders. Python 3 standard library only.
"""
import argparse
import hashlib
import math
import os
import random
import re
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOURCES = [
    os.path.join(REPO, "..", "shared", "eval", "dev"),
    os.path.join(REPO, "..", "shared", "eval", "more"),
]
KIB = 1024
MIN_BYTES, MAX_BYTES = 1 * KIB, 1024 * KIB
MEDIAN_BYTES, SIGMA = 5 * KIB, 0.6
TAIL_SHARE, TAIL_FROM = 0.01, 64 * KIB

# A body paragraph: a line of at least this many words (shorter lines are the
# page's furniture: title, clock, captions, bylines, widgets; kept in place).
BODY_WORDS = 15

RANKS = ["Đại tướng", "Thượng tướng", "Trung tướng", "Thiếu tướng", "Đại tá",
         "Thượng tá", "Trung tá", "Thiếu tá", "Đại úy", "Thượng úy", "Trung úy",
         "Thiếu úy", "Đô đốc", "Phó Đô đốc", "Chuẩn Đô đốc"]
HONORIFICS = ["ông", "bà", "Ông", "Bà", "đồng chí", "Đồng chí"]
CAP = "A-ZÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬĐÈÉẺẼẸÊẾỀỂỄỆÌÍỈĨỊÒÓỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÙÚỦŨỤƯỨỪỬỮỰỲÝỶỸỴ"
LOW = "a-zàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ"
PERSON_RE = re.compile(
    r"(?<!\w)(?:%s)\s+([%s][%s]*(?:\s+[%s][%s]*){1,3})(?!\w)"
    % ("|".join(sorted(map(re.escape, RANKS + HONORIFICS), key=len, reverse=True)),
       CAP, LOW, CAP, LOW))
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
            "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Đinh", "Lương"]
# A name is replaced only when it starts with a Vietnamese surname (not "Phó Giám đốc").
KNOWN_SURNAMES = set(SURNAMES + [
    "Cao", "Chu", "Mai", "Tô", "Hà", "Lâm", "Tạ", "Đoàn", "Triệu", "Quách", "Kiều", "Thái",
    "Tăng", "Lưu", "Vương", "La", "Châu", "Đào", "Hứa", "Mạc", "Giáp", "Lại", "Khúc",
    "Nghiêm", "Doãn", "Âu", "Tống", "Văn", "Lục", "Phùng", "Trương", "Thân", "Trịnh"])
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Xuân", "Ngọc",
           "Công", "Trọng", "Mạnh", "Thu", "Anh", "Quốc", "Chí", "Đình", "Tiến"]
GIVENS = ["Hùng", "Dũng", "Tuấn", "Lương", "Hiền", "Bình", "Chiến", "Phúc", "Cường",
          "Thắng", "Long", "Nam", "Hải", "Sơn", "Trung", "Quân", "Hà", "Lan", "Vinh",
          "Khiêm", "Huyên", "Thành", "Tâm", "Phong", "Hưng", "Nghĩa", "Tú", "Giang"]
# Dates first (so their digits are not varied as plain numbers), then numbers:
# d/m/yyyy, d-m-yyyy; d/m, d-m; yyyy; other numbers. Ranges (2016-2021) stay.
DATE_OR_NUMBER_RE = re.compile(r"""
    (?=[0-9])(?<![\d/.,-])(?:
        (?P<d1>\d{1,2})(?P<s1>[/-])(?P<m1>\d{1,2})(?P=s1)(?P<y1>(?:19|20)\d{2})(?![\d/-])
      | (?P<d2>\d{1,2})(?P<s2>[/-])(?P<m2>\d{1,2})(?![\d/-])
      | (?P<hh>\d{1,2}):(?P<mm>\d{2})(?![\d:])
      | (?P<y3>(?:19|20)\d{2})(?!\d|[/.,-]\d)
      | (?P<num>\d+)(?!\d|[/-]\d)
    )
""", re.X)
SENTENCE_RE = re.compile(r"[^.!?…]+[.!?…]+(?:\s+|$)")
DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


class Article:
    """One source article: its lines, which of them are body paragraphs, its newline."""

    def __init__(self, name, text):
        self.name = name
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.lines = text.replace("\r\n", "\n").split("\n")
        self.body = [i for i, line in enumerate(self.lines) if len(line.split()) >= BODY_WORDS]


class Sources:
    def __init__(self, folders):
        self.articles = []
        for folder in folders:
            if not os.path.isdir(folder):
                raise SystemExit("gen.py: source folder %s does not exist" % folder)
            for name in sorted(os.listdir(folder)):
                if name.endswith(".txt"):
                    with open(os.path.join(folder, name), encoding="utf-8") as f:
                        self.articles.append(Article(name, f.read()))
        self.articles = [a for a in self.articles if a.body]
        if not self.articles:
            raise SystemExit("gen.py: no *.txt article with a body paragraph in %s" % ", ".join(folders))
        self.paragraphs = [a.lines[i] for a in self.articles for i in a.body]
        self.sentences = [s.strip() for p in self.paragraphs for s in SENTENCE_RE.findall(p)
                          if len(s.split()) >= 5]


def target_size(rng):
    """A file size in bytes: the mix described in the module docstring."""
    if rng.random() < TAIL_SHARE:
        return int(math.exp(rng.uniform(math.log(TAIL_FROM), math.log(MAX_BYTES))))
    size = int(rng.lognormvariate(math.log(MEDIAN_BYTES), SIGMA))
    return max(MIN_BYTES, min(TAIL_FROM, size))


def new_name(rng):
    given = rng.choice(GIVENS)
    if rng.random() < 0.3:
        given = rng.choice(MIDDLES) + " " + given
    return "%s %s %s" % (rng.choice(SURNAMES), rng.choice(MIDDLES), given)


def vary(text, rng, names):
    """Other names (consistent through `names`), dates and numbers in `text`."""
    for m in PERSON_RE.finditer(text):
        old = m.group(1)
        if old.split()[0] in KNOWN_SURNAMES and old not in names:
            names[old] = new_name(rng)
    for old in sorted(names, key=len, reverse=True):
        text = text.replace(old, names[old])

    def date_or_number(m):
        g = m.groupdict()
        if g["d1"]:
            month = rng.randint(1, 12)
            day = rng.randint(1, DAYS_IN_MONTH[month - 1])
            return "%0*d%s%0*d%s%d" % (len(g["d1"]), day, g["s1"], len(g["m1"]), month,
                                       g["s1"], rng.randint(1990, 2025))
        if g["d2"]:
            if not (1 <= int(g["d2"]) <= 31 and 1 <= int(g["m2"]) <= 12):
                return m.group(0)  # not a day and month: a score, a ratio
            month = rng.randint(1, 12)
            day = rng.randint(1, DAYS_IN_MONTH[month - 1])
            return "%d%s%d" % (day, g["s2"], month)
        if g["hh"]:
            return "%0*d:%02d" % (len(g["hh"]), rng.randint(0, 23), rng.randint(0, 59))
        if g["y3"]:
            return str(rng.randint(1975, 2025))
        num = g["num"]
        first = "0" if num.startswith("0") else str(rng.randint(1, 9))
        return first + "".join(str(rng.randint(0, 9)) for _ in num[1:])

    return DATE_OR_NUMBER_RE.sub(date_or_number, text)


def made_paragraph(src, rng):
    """A paragraph: another article's, or a new one made of 2-6 sentences from anywhere."""
    if src.sentences and rng.random() < 0.5:
        return " ".join(rng.choice(src.sentences) for _ in range(rng.randint(2, 6)))
    return rng.choice(src.paragraphs)


def cut_at_word(text, max_bytes, min_bytes=0):
    """The longest prefix of `text` of at most `max_bytes` UTF-8 bytes that ends at a word,
    or, when that would be under `min_bytes`, at a character (as a truncated scrape does)."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    head = data[:max_bytes].decode("utf-8", errors="ignore")
    words = head[:max(0, head.rfind(" "))].rstrip()
    return words if len(words.encode("utf-8")) >= min_bytes else head


def make(src, rng, target):
    """The text of one file of about `target` bytes (never more)."""
    base = rng.choice(src.articles)
    lines = list(base.lines)
    body = list(base.body)
    # Mix: replace, drop, swap body paragraphs.
    for i in body:
        r = rng.random()
        if r < 0.35:
            lines[i] = made_paragraph(src, rng)
        elif r < 0.45 and len(body) > 2:
            lines[i] = None
    if len(body) >= 2 and rng.random() < 0.5:
        a, b = rng.sample(body, 2)
        lines[a], lines[b] = lines[b], lines[a]
    kept = [i for i in body if lines[i] is not None]
    last_body = kept[-1] if kept else body[-1]
    head = [l for l in lines[:last_body + 1] if l is not None]
    tail = [l for l in lines[last_body + 1:] if l is not None]
    names = {}
    head = [vary(l, rng, names) for l in head]
    tail = [vary(l, rng, names) for l in tail]
    nl = base.newline
    # Blank lines between paragraphs, as the sources have them ("" lines kept as they are).
    sep_bytes = len(nl.encode())

    def size(parts):
        return sum(len(p.encode("utf-8")) for p in parts) + sep_bytes * max(0, len(parts) - 1)

    fixed = size(tail) + (sep_bytes if tail else 0)
    # Pad: more paragraphs after the body (before the page's trailing furniture).
    extra, total = [], size(head) + fixed
    while total < target:
        p = vary(made_paragraph(src, rng), rng, names)
        if rng.random() < 0.9:
            extra.append("")  # paragraphs are separated by a blank line in most sources
            total += sep_bytes
        extra.append(p)
        total += len(p.encode("utf-8")) + sep_bytes
    # Trim: cut the body at a word so that body + furniture fit the target, never
    # under MIN_BYTES (the furniture too, when it alone is over the target).
    tail_text = nl + nl.join(tail) if tail else ""
    tail_bytes = len(tail_text.encode("utf-8"))
    body_text = nl.join(head + extra)
    floor = min(target, MIN_BYTES)
    if tail_bytes < target // 2:
        text = cut_at_word(body_text, target - tail_bytes, floor - tail_bytes) + tail_text
    else:
        text = cut_at_word(body_text + tail_text, target, floor)
    return text.encode("utf-8")


def generate(out_dir, n, seed=1, start=0, size=None, sources=None, log=None):
    """Write files start..start+n-1 into out_dir; return [(path, bytes)].

    Files already there with the right name are rewritten (generation is cheap
    and this keeps the result a function of the arguments only).
    """
    src = Sources(sources or DEFAULT_SOURCES)
    os.makedirs(out_dir, exist_ok=True)
    prefix = "a" if size is None else "s%d_" % size
    seen = {}
    written = []
    t0 = time.perf_counter()
    for i in range(start, start + n):
        rng = random.Random("enrichd-bench/%d/%s/%d" % (seed, size or "mix", i))
        data = make(src, rng, size if size is not None else target_size(rng))
        digest = hashlib.sha256(data).digest()
        name = "%s%07d.txt" % (prefix, i)
        if digest in seen:
            raise SystemExit("gen.py: %s has the same content as %s (seed %d): "
                             "the workload would not be unique" % (name, seen[digest], seed))
        seen[digest] = name
        path = os.path.join(out_dir, name)
        with open(path, "wb") as f:
            f.write(data)
        written.append((path, len(data)))
        if log and (i - start + 1) % 10000 == 0:
            log("  generated %d/%d files (%.0f s)" % (i - start + 1, n, time.perf_counter() - t0))
    return written


def describe(sizes):
    """A one-line summary of file sizes."""
    s = sorted(sizes)
    q = lambda p: s[min(len(s) - 1, int(p * len(s)))]
    return ("%d files, %.1f MiB; bytes min %d, median %d, p90 %d, p99 %d, max %d"
            % (len(s), sum(s) / KIB / KIB, s[0], statistics.median(s), q(0.9), q(0.99), s[-1]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="folder to write the files to")
    ap.add_argument("--n", type=int, default=20000, help="how many files (default 20000)")
    ap.add_argument("--seed", type=int, default=1, help="the seed (default 1)")
    ap.add_argument("--start", type=int, default=0, help="index of the first file (default 0)")
    ap.add_argument("--size", type=int, help="every file this many bytes (default: the mix)")
    ap.add_argument("--sources", nargs="+", help="folders of *.txt articles (default: "
                    "../shared/eval/dev and ../shared/eval/more)")
    a = ap.parse_args()
    if a.n < 1 or a.start < 0:
        ap.error("--n must be at least 1 and --start at least 0")
    if a.size is not None and not MIN_BYTES <= a.size <= MAX_BYTES:
        ap.error("--size must be between %d and %d" % (MIN_BYTES, MAX_BYTES))
    t = time.perf_counter()
    files = generate(a.out, a.n, a.seed, a.start, a.size, a.sources,
                     log=lambda m: print(m, file=sys.stderr))
    print("%s (%.1f s) in %s" % (describe([b for _, b in files]), time.perf_counter() - t, a.out))


if __name__ == "__main__":
    main()
