"""Lists and free text under a heading: one item per logical line, markers stripped."""

from __future__ import annotations

from extractors import normalise as nz
from extractors.layout import Cell
from extractors.reader.state import Target, Value
from extractors.reader.tables import TablesMixin


class ListsMixin(TablesMixin):
    def _content(self, cell: Cell) -> bool:
        target = self.state.target
        if target is None:
            return False
        conf = target.confidence * cell.confidence
        if target.kind in ("list", "text"):
            target.filled = True  # a list or text has begun: later boxes may be new sections
        if target.kind == "list" and target.name == "desired_outcomes":
            for item in nz.split_items(cell.lines):
                self._outcome_item(item, Value(item, conf, cell.location))
            return True
        if target.kind == "list":
            for item in nz.split_items(cell.lines):
                self.lists.setdefault(target.name, []).append(Value(item, conf, cell.location))
            return True
        if target.kind == "text":
            self.texts.setdefault(target.name, []).append(Value(cell.lines, conf, cell.location))
            return True
        fspec = self.vocab.fields[target.name]
        if fspec.type == "text" and fspec.path and fspec.path.startswith("safeguarding"):
            self.texts.setdefault(fspec.path, []).append(Value(cell.lines, conf, cell.location))
            return True
        if target.filled:
            return False
        self._assign(fspec, cell, target.confidence)
        target.filled = True
        self.state.target = None
        return True

    def _content_into(self, target: Target, cell: Cell) -> None:
        saved = self.state.target
        self.state.target = target
        self._content(cell)
        self.state.target = saved

    def _section_label(self, cell: Cell) -> Target | None:
        """A list/text heading used as a row label ("Child's views | I like school")."""
        heading = self.vocab.match_heading(cell.text)
        if heading is None or heading.score < 0.9:
            return None
        spec = self.vocab.sections[heading.key]
        if spec.kind not in ("list", "text") or not spec.target:
            return None
        self.state.hits.add(spec.key)
        return Target(spec.kind, spec.target, confidence=heading.score)

    def _outcome_item(self, item: str, value: Value) -> None:
        """An outcome, or the success criteria of the outcome before it.

        Forms give each outcome as an object: "1. Kai is in school every day" followed by
        "We'll know this has worked when: …" / "How will we know? …" / "Success looks
        like …". A line led by such a cue (a success-criteria column wording or its key
        nouns) completes the previous outcome; a cue alone on its line makes the next
        line the criteria. "Outcome 1: …" loses its label.
        """
        cue, rest = self._cue(item, "success_criteria")
        if cue:
            if rest and self.outcomes and self.outcomes[-1][1] is None:
                outcome, _ = self.outcomes[-1]
                self.outcomes[-1] = (outcome, Value(rest, value.confidence, value.location))
            elif not rest:
                self._awaiting_success = bool(self.outcomes)
            return
        if self._awaiting_success and self.outcomes and self.outcomes[-1][1] is None:
            self._awaiting_success = False
            outcome, _ = self.outcomes[-1]
            self.outcomes[-1] = (outcome, value)
            return
        self._awaiting_success = False
        label, rest = self._cue(item, "outcome")
        text = rest if label and rest else item
        self.outcomes.append((Value(text, value.confidence, value.location), None))

    def _cue(self, item: str, column: str) -> tuple[bool, str]:
        """Whether ``item`` starts with (or is) a wording of the outcomes table's ``column``."""
        for sep in (":", "?", " - ", " – "):
            head, found, rest = item.partition(sep)
            if found and rest.strip() and len(head.split()) <= 10:
                match = self.vocab.match_column("outcomes", head)
                if match is not None and match.key == column:
                    return True, rest.strip()
        whole = self.vocab.match_column("outcomes", item)
        if whole is not None and whole.key == column and len(item.split()) <= 10 and not item.endswith("."):
            return True, ""
        return False, item

