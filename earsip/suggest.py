"""Classification codes suggested from a letter's text, learned from the office's filed texts.

Pure rules (standard library only): the service (`services/desk/suggestions.py`) reads the
filed texts and stores `to_json()`. A stemmer may be passed in as `stem` (the project's
Sastrawi one, say); the service passes none, as stemming did not help (docs/SUGGEST.md).

Each text becomes a weighted bag of words: lower-cased runs of letters (numbers, codes and
stopwords dropped), optionally stemmed, each weighted `log(1 + count) * idf` and the whole
scaled to unit length (`centroid`) or simply counted (`nb`). A code is scored linearly over
those weights, `bias + sum(x_t * w_t)`, where `w_t` is the code's weight of term t (its
`default` for a known term the code does not list). Two trainers fill those weights
(docs/SUGGEST.md measures both):

- `centroid` (the default, the better one measured): the mean of the code's unit vectors,
  scaled to unit length (Rocchio); the score is the cosine similarity of the letter's vector.
- `nb`: multinomial naive Bayes over raw word counts, `w_t = log P(t | code)` with additive
  smoothing and a uniform prior (the text is scored on its counts, not the unit vector); the
  score is the posterior (softmax over the codes). Terms a code does not list get the mean
  weight of the terms it dropped.

The model keeps the `TERMS_PER_CODE` heaviest terms of each code and their weights rounded to
four decimals, so it is small (docs/SUGGEST.md gives sizes) and a round trip through JSON gives
exactly the same suggestions.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

FORMAT = "earsip.suggest"
VERSION = 1
METHODS = ("centroid", "nb")
# Below these the model answers nothing: a guess from a handful of letters misleads the clerk.
MIN_DOCUMENTS = 10
MIN_CODES = 2
TERMS_PER_CODE = 400
ALPHA = 0.1  # additive smoothing of the naive Bayes word probabilities
DIGITS = 4

# A word is a run of letters; a hyphen joins runs (undang-undang). Digits split and are dropped.
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

# Function words and the formulas every letter carries (salutation, closing, address lines):
# they say nothing about the subject.
STOPWORDS: frozenset[str] = frozenset(
    """
    yang dan di ke dari untuk dengan pada ini itu atau juga dalam adalah ialah yaitu yakni
    akan oleh sebagai tersebut bahwa serta telah sudah agar supaya karena sehingga maka
    jika apabila bila namun tetapi tapi lalu kemudian para sang si pun lah kah nya bagi
    hingga sampai secara suatu sebuah saat ketika dapat masih sedang pula lagi kepada
    daripada terhadap tentang sejak selama setelah sebelum ia dia mereka kami kita saya
    anda beliau adapun bahkan hanya sangat lebih paling begitu demikian ada tidak belum
    bapak ibu saudara yth hormat terima kasih atas perhatian sama
    no nomor hal perihal lampiran lamp tanggal tgl jalan jl telp telepon fax faks email
    website kode pos rt rw a b c d e f g h i j k l m n o p q r s t u v w x y z
    januari februari maret april mei juni juli agustus september oktober november desember
    senin selasa rabu kamis jumat sabtu minggu
    """.split()  # noqa: SIM905 - a word list reads better as text
)

Stem = Callable[[str], str]
T = TypeVar("T")


def tokenize(text: str, *, stem: Stem | None = None) -> list[str]:
    """Return the words of `text`, lower-cased, without numbers and stopwords, stemmed if asked."""
    words = [w for w in _WORD_RE.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS]
    if stem is None:
        return words
    seen: dict[str, str] = {}
    out = []
    for w in words:
        s = seen.get(w)
        if s is None:
            s = seen[w] = stem(w) or w
        if s not in STOPWORDS:
            out.append(s)
    return out


def _weights(counts: Mapping[str, int], idf: Mapping[str, float]) -> dict[str, float]:
    """Return the unit-length `log(1 + count) * idf` vector of the known terms."""
    x = {t: math.log1p(n) * idf[t] for t, n in counts.items() if t in idf}
    norm = math.sqrt(sum(v * v for v in x.values()))
    return {t: v / norm for t, v in x.items()} if norm > 0 else {}


@dataclass(frozen=True)
class CodeWeights:
    """One code's part of the model: its bias, its listed term weights and the rest's weight."""

    bias: float
    default: float
    weights: Mapping[str, float]


@dataclass(frozen=True)
class Accuracy:
    """How often the right code came first (`top1`) or among the first three (`top3`), 0..1,
    over `n_test` held-back samples of a model trained on `n_train`; None when none was held."""

    top1: float | None
    top3: float | None
    n_train: int
    n_test: int


class SuggestModel:
    """A trained suggester: term weights per code over a shared inverse document frequency."""

    def __init__(self, *, method: str, documents: int, idf: Mapping[str, float],
                 codes: Mapping[str, CodeWeights], stemmed: bool, stem: Stem | None = None) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}")
        self.method = method
        self.documents = documents
        self.idf = dict(idf)
        self.codes = dict(codes)
        self.stemmed = stemmed
        self._stem = stem

    @property
    def usable(self) -> bool:
        """Return True when the model learned from enough documents and codes to suggest."""
        return self.documents >= MIN_DOCUMENTS and len(self.codes) >= MIN_CODES

    def scores(self, text: str) -> list[tuple[str, float]]:
        """Return every code with its score (0..1), best first; [] when nothing can be said."""
        return self._rank(Counter(tokenize(text, stem=self._stem)))

    def _rank(self, counts: Mapping[str, int]) -> list[tuple[str, float]]:
        if not self.usable:
            return []
        if self.method == "nb":
            x = {t: float(n) for t, n in counts.items() if t in self.idf}
        else:
            x = _weights(counts, self.idf)
        if not x:
            return []
        raw = {}
        for code, cw in self.codes.items():
            w = cw.weights
            raw[code] = cw.bias + sum(v * w.get(t, cw.default) for t, v in x.items())
        if self.method == "nb":
            top = max(raw.values())
            exp = {c: math.exp(s - top) for c, s in raw.items()}
            total = sum(exp.values())
            scored = {c: e / total for c, e in exp.items()}
        else:
            scored = {c: min(1.0, max(0.0, s)) for c, s in raw.items()}
        return sorted(((c, round(s, DIGITS)) for c, s in scored.items()),
                      key=lambda cs: (-cs[1], cs[0]))

    def suggest(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """Return up to `k` (code, score) pairs for `text`, best first (scores 0..1)."""
        return [cs for cs in self.scores(text)[:max(k, 0)] if cs[1] > 0]

    def _first(self, counts: Mapping[str, int], k: int) -> list[str]:
        return [c for c, s in self._rank(counts)[:k] if s > 0]

    def to_json(self) -> str:
        """Return the model as compact JSON (terms sorted: the same model, the same text)."""
        return json.dumps({
            "format": FORMAT, "version": VERSION, "method": self.method,
            "documents": self.documents, "stemmed": self.stemmed,
            "idf": dict(sorted(self.idf.items())),
            "codes": {c: {"bias": cw.bias, "default": cw.default,
                          "weights": dict(sorted(cw.weights.items()))}
                      for c, cw in sorted(self.codes.items())},
        }, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, s: str, *, stem: Stem | None = None) -> SuggestModel:
        """Read a model written by `to_json`; `stem` must be given if it was trained stemmed."""
        data = json.loads(s)
        if not isinstance(data, dict) or data.get("format") != FORMAT \
                or data.get("version") != VERSION:
            raise ValueError("not a suggestion model of this version")
        if bool(data["stemmed"]) != (stem is not None):
            raise ValueError("the model's stemming and the given stemmer disagree")
        codes = {c: CodeWeights(float(v["bias"]), float(v["default"]),
                                {t: float(w) for t, w in v["weights"].items()})
                 for c, v in data["codes"].items()}
        return cls(method=str(data["method"]), documents=int(data["documents"]),
                   idf={t: float(v) for t, v in data["idf"].items()}, codes=codes,
                   stemmed=bool(data["stemmed"]), stem=stem)


def from_json(s: str, *, stem: Stem | None = None) -> SuggestModel:
    """Read a model written by `SuggestModel.to_json`."""
    return SuggestModel.from_json(s, stem=stem)


def _top(weights: Mapping[str, float], n: int) -> dict[str, float]:
    ranked = sorted(weights.items(), key=lambda tw: (-tw[1], tw[0]))[:n]
    return {t: round(w, DIGITS) for t, w in ranked}


def _counted(samples: Iterable[tuple[str, str]], stem: Stem | None
             ) -> list[tuple[str, Counter[str]]]:
    return [(code, Counter(tokenize(text, stem=stem))) for code, text in samples]


def train(samples: Iterable[tuple[str, str]], *, stem: Stem | None = None,
          method: str = "centroid",
          terms_per_code: int = TERMS_PER_CODE) -> SuggestModel:
    """Learn a model from (code, text) pairs; texts without a known word are left out."""
    return _train(_counted(samples, stem), stem=stem, method=method,
                  terms_per_code=terms_per_code)


def _train(counted: list[tuple[str, Counter[str]]], *, stem: Stem | None, method: str,
           terms_per_code: int) -> SuggestModel:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    docs = [(code, counts) for code, counts in counted if counts]
    df: Counter[str] = Counter()
    for _, counts in docs:
        df.update(counts.keys())
    n = len(docs)
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    sums: dict[str, dict[str, float]] = defaultdict(dict)
    for code, counts in docs:
        total = sums[code]
        for t, v in (counts if method == "nb" else _weights(counts, idf)).items():
            total[t] = total.get(t, 0.0) + v
    codes: dict[str, CodeWeights] = {}
    vocab = len(idf)
    for code in sorted(sums):
        total = sums[code]
        if method == "nb":
            denom = sum(total.values()) + ALPHA * vocab
            logp = {t: math.log((v + ALPHA) / denom) for t, v in total.items()}
            kept = _top(logp, terms_per_code)
            dropped = vocab - len(kept)
            rest = (denom - sum(total[t] + ALPHA for t in kept)) / dropped if dropped else ALPHA
            codes[code] = CodeWeights(0.0, round(math.log(rest / denom), DIGITS), kept)
        else:
            norm = math.sqrt(sum(v * v for v in total.values())) or 1.0
            codes[code] = CodeWeights(0.0, 0.0, _top({t: v / norm for t, v in total.items()},
                                                     terms_per_code))
    listed = {t for cw in codes.values() for t in cw.weights}
    return SuggestModel(method=method, documents=n,
                        idf={t: round(idf[t], DIGITS) for t in sorted(listed)},
                        codes=codes, stemmed=stem is not None, stem=stem)


def split(samples: Iterable[tuple[str, T]], *, holdout: float = 0.2,
          seed: int = 0) -> tuple[list[tuple[str, T]], list[tuple[str, T]]]:
    """Split (code, text) pairs into training and held-back sets, `holdout` of each code held
    back (rounded; a code's first sample always trains), the same way for the same seed."""
    by_code: dict[str, list[tuple[str, T]]] = defaultdict(list)
    for code, text in samples:
        by_code[code].append((code, text))
    rng = random.Random(seed)
    train_set: list[tuple[str, T]] = []
    test_set: list[tuple[str, T]] = []
    for code in sorted(by_code):
        group = by_code[code]
        rng.shuffle(group)
        held = min(int(len(group) * holdout + 0.5), len(group) - 1)
        test_set.extend(group[:held])
        train_set.extend(group[held:])
    return train_set, test_set


def score(model: SuggestModel, samples: Iterable[tuple[str, str]]) -> Accuracy:
    """Return how often `model` ranks each sample's code first and among its first three
    (nothing is measured with a model too small to suggest: top1 and top3 are None)."""
    return _score(model, _counted(samples, model._stem))


def _score(model: SuggestModel, counted: list[tuple[str, Counter[str]]]) -> Accuracy:
    if not model.usable:
        return Accuracy(None, None, model.documents, 0)
    tested = first = third = 0
    for code, counts in counted:
        ranked = model._first(counts, 3)
        tested += 1
        first += bool(ranked) and ranked[0] == code
        third += code in ranked
    if not tested:
        return Accuracy(None, None, model.documents, 0)
    return Accuracy(first / tested, third / tested, model.documents, tested)


def evaluate(samples: Iterable[tuple[str, str]], *, holdout: float = 0.2, seed: int = 0,
             stem: Stem | None = None, method: str = "centroid",
             terms_per_code: int = TERMS_PER_CODE) -> Accuracy:
    """Train on a stratified part of the samples and measure on the `holdout` part kept back."""
    return train_and_evaluate(samples, holdout=holdout, seed=seed, stem=stem, method=method,
                              terms_per_code=terms_per_code)[1]


def train_and_evaluate(samples: Iterable[tuple[str, str]], *, holdout: float = 0.2,
                       seed: int = 0, stem: Stem | None = None, method: str = "centroid",
                       terms_per_code: int = TERMS_PER_CODE) -> tuple[SuggestModel, Accuracy]:
    """Return the model trained on all samples and the accuracy `evaluate` measures, reading
    each text once."""
    counted = _counted(samples, stem)
    train_set, test_set = split(counted, holdout=holdout, seed=seed)
    held = _train(train_set, stem=stem, method=method, terms_per_code=terms_per_code)
    model = _train(counted, stem=stem, method=method, terms_per_code=terms_per_code)
    return model, _score(held, test_set)
