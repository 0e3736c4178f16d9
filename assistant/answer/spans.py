"""The units an extractive answer is made of: a candidate sentence and an excerpt (a run of
sentences of one passage), with their offsets in the passage text."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Candidate:
    """One sentence of a retrieved passage and how well it matches the question."""

    row: int  # sentence row in the index
    hit: int  # position of its passage among the hits
    start: int  # offsets in the passage text
    end: int
    text: str
    dense: float  # cosine to the query, scaled to [0, 1] by the model's band
    lexical: float  # IDF-weighted share of the focus words, context counting half
    score: float = 0.0
    elsewhere: bool = False
    similarity: float = 0.0  # the cosine scaled by the band, not clipped: what the models read
    share: float = 0.0  # P(this one answers | one of the candidates does): the ranker's softmax


@dataclass
class Excerpt:
    """A contiguous run of sentences of one passage; `anchor` is the one that answers."""

    hit: int
    sentences: list[Candidate]
    anchor: Candidate
    label: str | None = None
    coverage: float = 0.0
    extra: list[tuple[int, int, int]] = field(default_factory=list)  # list items elsewhere

    @property
    def start(self) -> int:
        return self.sentences[0].start

    @property
    def end(self) -> int:
        return self.sentences[-1].end

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.sentences)
