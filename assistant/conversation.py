"""The conversation side of the `Assistant`: what a thread of answers gives a follow-up.

A follow-up that leans on the thread (see `retrieve/followup.py`) inherits the thread's
topic, never the previous question's ask. The inherited topic chooses the passages (the
ones the last turn quoted, and their neighbours); the follow-up's own ask chooses the
sentence among them. Every answer is then checked as a first question would be, with
the inherited topic as part of the question: in the passages the thread quoted (and the
one after each, which goes on with it) the topic counts as their heading's words do.
"""

from __future__ import annotations

import math
import re

import numpy as np

from .models import Answer, Passage
from .text import fold, places_in, tokens

# log(1 + n/df) for a word in 1 passage of 20: rarer words name something particular
SPECIFIC_IDF = math.log(21)
# A switch to a place or name the bulletin does not say the thing of, in the follow-up's
# language (its own words for the place, never its whole question).
NOT_SAID_OF = {"vi": "Bản tin không nói điều này về {entity}.", "en": "The bulletin does not say this of {entity}."}
# An item of a list that opens with its ordinal word ("Thứ hai, …", "Second, …").
_ORDINAL_OPENING = re.compile(r"^(?:thu (?:nhat|hai|ba|tu|nam|sau|bay|tam|chin|muoi)|dau tien|first|second|third|fourth|fifth)\b")
NEAREST_ABOUT = {"vi": "Đoạn gần nhất về {entity}: “{nearest}”", "en": "The nearest passage on {entity}: “{nearest}”"}


def quoted(thread: list[Answer]) -> list[str]:
    """The passages the turns quoted; for a turn that abstained, its nearest one (the
    bulletin has the topic, not what was asked: "năm điểm" is a count the check missed)."""
    ids = []
    for answer in thread:
        ids += [c.passage_id for c in answer.citations] or [h.passage.id for h in answer.related[:1]]
    return ids


def names(passage: Passage, entity: str) -> bool:
    """Whether a passage is about a place (its section or its text names it, in any
    spelling: "Japan", "Nhật Bản") or names a name ("Songdo")."""
    where = fold(f"{passage.context} {passage.text}")
    groups = places_in(fold(entity))
    return bool(places_in(where) & groups) if groups else set(tokens(entity)) <= set(tokens(where))


class Conversation:
    """Mixed into `Assistant`: its index, searcher and embedder serve the thread's helpers."""

    def _specific(self, word: str) -> bool:
        """A word that names something particular: in under 5% of the passages, or none."""
        from .answer.excerpt import idf_weights

        idf = idf_weights(self.index)
        return idf.get(word, float("inf")) >= SPECIFIC_IDF

    def _known(self, word: str) -> bool:
        """A folded word the corpus uses."""
        from .answer.excerpt import idf_weights

        return word in idf_weights(self.index)

    def _words_of(self, passage_ids: set[str]) -> set[str]:
        """The folded words of some passages (the thread's)."""
        return {t for pid in passage_ids for t in tokens(self.passage(pid).text)}

    def _thread_passages(self, thread: list[Answer], *, before: int = 1, after: int = 1) -> set[str]:
        """Passages the last turn cited (the one a pronoun points to), with their neighbours
        in reading order."""
        ids: set[str] = set()
        for c in thread[-1].citations if thread else []:
            if c.passage_id in self.index.position:
                ids.update(p.id for p in self.neighbours(c.passage_id, before=before, after=after))
        return ids

    def _from_thread(self, step, info, asked, local: set[str], thread: list[Answer], scope: dict, bands):
        """A follow-up that leans on the thread, answered from the thread's passages
        (`local`): (the answer, or None when they do not answer; the nearest abstention;
        the hits and the timings).

        The passages are the topic's; the follow-up's own ask chooses the sentence: its
        words are searched among them, and each sentence's cosine is taken to its ask and
        to the ask with the topic alike (a short ask alone is near anything; with the
        topic, the topic's own sentence wins). The topic's words count in the quoted
        passages and the ones after them as their heading's do. A bare question word
        ("Why?", "Khi nào?") has no words to choose with: the ask with the topic is
        searched. Each is checked as a first question is."""
        from .answer import extractive as answer_mod
        from .retrieve.topic import bare

        own = self.searcher.analyze(step.ask)
        own.original = info.original
        carried = set(tokens(step.topic)) - set(tokens(step.ask))
        after = self._thread_passages(thread, before=0, after=1)
        nearest, hits, timings = None, [], {}
        for probe in [info] if bare(step.ask) else [own, info]:
            # an English ask's words are not the bulletin's: the topic ranks the passages
            ranked = info if probe is own and own.language == "en" else probe
            hits, qvec, timings = self.searcher.run(probe, **scope, passages=local)
            if ranked is not probe:
                hits, _, _ = self.searcher.run(ranked, **scope, passages=local)
            topic = {}
            if probe is own and qvec is not None:
                both = qvec + self.embedder.encode_queries([info.dense_query])[0]
                qvec = both / np.linalg.norm(both)
                topic = dict.fromkeys(after, carried)
            result = answer_mod.compose(probe, hits, qvec, self.index, bands=bands, question=asked, topic=topic)
            if not result.abstained:
                result.from_thread = True
                result.query = info.normalized
                return result, nearest, hits, timings
            nearest = result  # the last: it names the topic
        return None, nearest, hits, timings

    def _on_topic(self, answer: Answer, topic: str, local: set[str]) -> bool:
        """Whether an answer found beyond the thread's passages is about the thread's
        topic: its answering passage is one of the thread's, or names the topic's
        particular words (a programme, a name: "InnoLeap"; places are too broad). A
        follow-up asks about what the thread is about: the amount another programme got
        answers another question."""
        particular = {t for t in tokens(topic) if len(t) > 2 and self._known(t) and self._specific(t) and not places_in(t)}
        first = answer.citations[:1]
        if not particular or not first or first[0].passage_id in local or first[0].passage_id not in self.index.position:
            return True
        passage = self.passage(first[0].passage_id)
        return bool(particular & set(tokens(f"{passage.context} {passage.text}")))

    def _list_item(self, thread: list[Answer], number: int) -> str | None:
        """The passage that is item `number` of a list the thread quoted: from the first
        passage the thread cited on, in reading order and within that passage's section,
        a list (after a lead-in of a passage or two, its items one after the other: "1.",
        "(2)", "(c)", "Thứ hai, …"), and in it the item that opens with that item's mark
        ("3.", "(3)", "(c)", "Thứ ba", "Third"). None when the thread quoted no such list,
        or it has no item of that number."""
        from .answer.lists import ITEM
        from .retrieve.followup import _ORDINALS

        rows = [self.index.position[pid] for pid in quoted(thread) if pid in self.index.position]
        if not rows:
            return None
        start = min(rows)
        words = "|".join(w for w, n in _ORDINALS.items() if n == number)
        mark = re.compile(rf"^(?:\(?{number}[.)]|\({chr(ord('a') + number - 1)}\)|(?:{words})\b)")
        first = self.index.passages[start]
        items = lead_in = 0
        for p in self.index.passages[start : start + 25]:
            if p.doc_id != first.doc_id or p.section[: len(first.section)] != first.section:
                break
            if mark.match(fold(p.text)):
                return p.id
            if ITEM.match(p.text) or _ORDINAL_OPENING.match(fold(p.text)):
                items += 1
            elif items or lead_in == 2:
                break  # the list ended, or none began
            else:
                lead_in += 1
        return None

    def _list_item_answer(self, thread: list[Answer], number: int, info, asked, scope: dict, bands):
        """"Còn cái thứ ba?": item `number` of the list the thread quoted, answered from its
        passage; when the evidence model refuses it (the item shares no word with "cái thứ
        ba"), the item's opening is quoted all the same: that it is the item asked for is a
        fact checked in the text (its mark, in the thread's list), as the title page is for
        a question about the document. (The answer and its hits), or (None, []) when the
        thread quoted no such list."""
        from .answer import extractive as answer_mod
        from .answer.excerpt import E5_BANDS, expand, score_sentences

        item = self._list_item(thread, number)
        if item is None:
            return None, []
        hits, qvec, _ = self.searcher.run(info, **scope, passages={item})
        result = answer_mod.compose(info, hits, qvec, self.index, bands=bands, question=asked)
        if result.abstained and hits:
            candidates = score_sentences(info, asked, hits, qvec, self.index, bands or E5_BANDS)
            if candidates:
                opening = min(candidates, key=lambda c: c.start)
                excerpt = expand(opening, asked, info, hits, self.index, candidates)
                evidence = {**result.evidence, "blocked": 1.0}
                result = answer_mod.quote(info, asked, excerpt, hits, self.index, conf=1.0)
                result.evidence = evidence
        result.from_thread = True
        return result, hits

    def _not_said_of(self, result: Answer, entity: str, info, asked, frame: str, scope: dict, bands) -> Answer:
        """A switch to a place or name the bulletin says nothing of this about ("Còn Nhật
        Bản thì sao?" after a question on Singapore's Citizens' Jury): "The bulletin does
        not say this of Japan", in the follow-up's language, with the nearest passage that
        is about it (the best sentence of the passages that name it)."""
        from .answer import extractive as answer_mod
        from .answer.excerpt import E5_BANDS

        lang = "en" if frame == "en" else "vi"
        text = NOT_SAID_OF[lang].format(entity=entity)
        hits, qvec, _ = self.searcher.run(info, **{**scope, "k": max(scope["k"] or 5, 20)})
        near = [h for h in hits if names(h.passage, entity)][:3]
        if near:
            excerpts, _ = answer_mod.best_excerpts(asked, info, near, qvec, self.index, bands or E5_BANDS)
            if excerpts:
                text += " " + NEAREST_ABOUT[lang].format(entity=entity, nearest=excerpts[0].anchor.text)
            result.related = near
        return result.model_copy(update={"text": text, "language": frame, "abstained": True, "citations": [], "sentences": []})

    def _about(self, answer: Answer, entity: str) -> bool:
        """Whether an answer quotes a passage about a place or name (its section or its text
        names it; "Japan" and "Nhật Bản" alike)."""
        return any(names(self.passage(c.passage_id), entity) for c in answer.citations if c.passage_id in self.index.position)
