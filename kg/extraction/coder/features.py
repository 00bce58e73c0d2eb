"""Features of a trigger and of an actor's place around it, as plain strings.

The model is linear over these strings, so a candidate's score is a sum of
independent parts: the trigger's (its word, root, syntax, modality), the
source's and the target's (each actor's kind and the dependency path that joins
it to the trigger), and a few pair features (did the rules pick exactly this
pair? how do the two mentions stand to each other, and what shape do their
paths make together?). Scoring every (source, target) pair of a trigger then
costs one addition per pair, which keeps the trained layer cheap beside the
parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Token

from kg.extraction.syntax import governing_verb

#: Longest stretch of the dependency path kept on each side of the meeting node.
PATH_STEPS = 3
#: Token distances, bucketed.
_DISTANCES = (1, 2, 4, 8, 16)
_STEP = re.compile(r"[<>^][^<>^]+")


#: A feature template with the values it depends on: ``(template, *values)``.
#: Parts are hashable, so the model sums each distinct part's weights once
#: (:meth:`~kg.extraction.coder.files.CoderModel.part_scores`); :func:`expand`
#: turns one into its feature strings.
Part = tuple


def trigger_part(head: Token, root: str, lemma: str, extra: list[str]) -> Part:
    """What the trigger says on its own: word, root, syntax and circumstance."""
    pos = head.pos_
    verb = governing_verb(head) if pos not in ("VERB", "AUX") else None
    deps = tuple(sorted({c.dep_ for c in head.children}))
    governor = head.head.lemma_.lower() if head.head.i != head.i else None
    gov = None if verb is None else verb.lemma_.lower()
    return (
        "trig",
        root,
        lemma,
        pos,
        head.tag_,
        head.dep_,
        governor,
        gov,
        deps,
        tuple(extra),
    )


def _trigger_features(
    root: str,
    lemma: str,
    pos: str,
    tag: str,
    dep: str,
    governor: str | None,
    gov: str | None,
    deps: tuple[str, ...],
    extra: tuple[str, ...],
) -> list[str]:
    found = [
        f"r={root}",
        f"lem={lemma}",
        f"lem|r={lemma}|{root}",
        f"pos|r={pos}|{root}",
        f"tag={tag}",
        f"dep={dep}",
        f"dep|r={dep}|{root}",
        "hl=ROOT" if governor is None else f"hl={governor}",
    ]
    if gov is not None:
        found += [f"gov={gov}", f"gov|lem={gov}|{lemma}"]
    found += [f"cdep={d}" for d in deps]
    found += [f"{name}|r={root}" for name in extra]
    found += extra
    return found


def actor_base(
    role: str,
    kind: str,
    path: str | None,
    offset: int | None,
    rank: int | None,
    subject: str,
) -> Part:
    """What an actor's place says about it as source or target, whatever the root.

    Args:
        role: "s" (source) or "t" (target).
        kind: the actor's kind (person, country, ...).
        path: the dependency path from the trigger to the actor's mention, or
            None when the actor is not named in the trigger's sentence (the rules
            found it through a pronoun or an earlier sentence).
        offset: mention position minus trigger position, in tokens.
        rank: 1 for the last actor of the previous sentence, 2 for the one
            before, ...; None for an actor of the trigger's own sentence.
        subject: what the trigger's clause has as subject (see ``earlier``).
    """
    side = distance = None
    if path is not None:
        side = _side(offset)
        distance = _bucket(abs(offset or 0))
    return (
        "base",
        role,
        kind,
        path,
        side,
        distance,
        rank,
        None if rank is None else subject,
    )


def _actor_base(
    role: str,
    kind: str,
    path: str | None,
    side: str | None,
    distance: str | None,
    rank: int | None,
    subject: str | None,
) -> list[str]:
    found = [f"{role}kind={kind}"]
    if rank is not None:
        # "He then met …", "The group said …": with a pronoun or a bare noun as
        # subject, the last actor named before is often the one meant
        found += [f"{role}prev={rank}", f"{role}prev|subj={rank}|{subject}"]
    if path is None:
        return [*found, f"{role}far"]
    return [
        *found,
        f"{role}path={path}",
        f"{role}short={short_path(path)}",
        f"{role}side={side}",
        f"{role}dist={distance}",
        f"{role}side|dist={side}|{distance}",
    ]


def actor_by_root(
    role: str,
    root: str,
    kind: str,
    path: str | None,
    offset: int | None,
    rule: bool,
    rank: int | None,
) -> Part:
    """The actor's features conjoined with the candidate's root (see actor_base).

    Args:
        rule: whether the dependency rules chose this actor in this role.
    """
    side = None if path is None else _side(offset)
    return ("root", role, root, kind, path, side, rule, rank is not None)


def _actor_by_root(
    role: str,
    root: str,
    kind: str,
    path: str | None,
    side: str | None,
    rule: bool,
    earlier: bool,
) -> list[str]:
    found = [f"{role}kind|r={kind}|{root}"]
    if rule:
        found += [f"{role}rule", f"{role}rule|r={root}"]
    if earlier:
        found.append(f"{role}prev|r={root}")
    if path is None:
        return [*found, f"{role}far|r={root}"]
    return [
        *found,
        f"{role}path|r={path}|{root}",
        f"{role}short|r={short_path(path)}|{root}",
        f"{role}side|r={side}|{root}",
    ]


def no_target(root: str, lemma: str) -> Part:
    """The target slot left empty: some roots rarely have a target, some always."""
    return ("none", root, lemma)


def _no_target(root: str, lemma: str) -> list[str]:
    return ["tnone", f"tnone|r={root}", f"tnone|lem={lemma}"]


def pair_part(
    rule_pair: bool,
    same_country: bool,
    kinds: str,
    root: str,
    relation: str,
    paths: str,
) -> Part:
    """Features of the (source, target) pair as a whole.

    Args:
        relation: how the two mentions stand to each other (see :func:`relation`).
        paths: the short dependency paths of source and target, joined: the
            pair's shape ("subject and object") says more than each path alone.
    """
    return ("pair", rule_pair, same_country, kinds, root, relation, paths)


#: Where a mention sits in the parse: (index, index of its head, is it a
#: conjunct). What :func:`relation` compares, taken once per mention.
Placed = tuple[int, int, bool]


def placed(token: Token) -> Placed:
    """A mention's place in the parse (see :data:`Placed`)."""
    return token.i, token.head.i, token.dep_ == "conj"


def relation(source: Token | None, target: Token | None) -> str:
    """How the source's and the target's nearest mentions are placed (a
    reading without a target has no relation: see :data:`NO_TARGET`).

    Mentions attached to each other ("Israeli troops": an adjective on its
    noun; "Kenya and Uganda": a coordination) rarely act on one another;
    a mention outside the trigger's sentence (None) has no place to compare,
    and which of the two lies outside tells what the reading assumes.
    """
    return relation_of(
        None if source is None else placed(source),
        None if target is None else placed(target),
    )


def relation_of(source: Placed | None, target: Placed | None) -> str:
    """:func:`relation` of two mentions' places (what the coder calls, once
    per pair, on places it took once per mention)."""
    if source is None:
        return "farsource"
    if target is None:
        return "fartarget"
    (s_at, s_head, s_conj), (t_at, t_head, t_conj) = source, target
    if s_head == t_at:
        return "conj" if s_conj else "attached"
    if t_head == s_at:
        return "conj" if t_conj else "attached"
    if s_head == t_head and (s_conj or t_conj):
        return "conj"
    return "s<t" if s_at < t_at else "t<s"


#: The relation of a reading that has no target.
NO_TARGET = "notarget"


def _pair_features(
    rule_pair: bool,
    same_country: bool,
    kinds: str,
    root: str,
    relation: str,
    paths: str,
) -> list[str]:
    found = [f"kinds={kinds}", f"kinds|r={kinds}|{root}"]
    found += [f"rel={relation}", f"rel|r={relation}|{root}"]
    found += [f"rel|same={relation}|{same_country}"]
    found += [f"paths={paths}", f"paths|r={paths}|{root}"]
    if rule_pair:
        found += ["rulepair", f"rulepair|r={root}"]
    if same_country:
        found += ["samecountry", f"samecountry|r={root}"]
    return found


#: Each template's feature maker; they take different values, hence ``...``.
_TEMPLATES: dict[str, Callable[..., list[str]]] = {
    "trig": _trigger_features,
    "base": _actor_base,
    "root": _actor_by_root,
    "none": _no_target,
    "pair": _pair_features,
}


def expand(part: Part) -> list[str]:
    """The feature strings of a part (what the linear model's weights name)."""
    return _TEMPLATES[part[0]](*part[1:])


def _side(offset: int | None) -> str:
    return "before" if offset is not None and offset < 0 else "after"


def dependency_path(
    trigger: Token,
    mention: Token,
    up: list[Token] | None = None,
    down: list[Token] | None = None,
) -> str:
    """The path from the trigger up to where it meets the mention and down again.

    Each step is a dependency label; prepositions and agents carry their word
    ("prep:with"), since "talks with X" and "talks about X" differ only there.
    ``up`` and ``down`` are the trigger's and the mention's :func:`ancestors`,
    when the caller has them already.
    """
    up = ancestors(trigger) if up is None else up
    down = ancestors(mention) if down is None else down
    down_index = {t.i: n for n, t in enumerate(down)}
    for n, node in enumerate(up):
        if node.i in down_index:
            rising = [_label(t) for t in up[:n]][:PATH_STEPS]
            falling = [_label(t) for t in down[: down_index[node.i]]][::-1]
            falling = falling[-PATH_STEPS:]
            meet = "" if n == 0 else f"^{node.pos_}"
            return (
                "".join(f"<{d}" for d in rising)
                + meet
                + "".join(f">{d}" for d in falling)
            )
    return "none"


def ancestors(token: Token) -> list[Token]:
    """The token and its heads up to the root (at most 12)."""
    chain = [token]
    while chain[-1].head.i != chain[-1].i and len(chain) < 12:
        chain.append(chain[-1].head)
    return chain


def _label(token: Token) -> str:
    if token.dep_ in ("prep", "agent", "dative"):
        return f"{token.dep_}:{token.lower_}"
    return token.dep_


def short_path(path: str) -> str:
    """The path without preposition words and without its middle steps."""
    steps = [s.split(":")[0] for s in _STEP.findall(path)]
    return "".join(steps[:1] + steps[-1:]) if len(steps) > 2 else "".join(steps)


def _bucket(distance: int) -> str:
    for limit in _DISTANCES:
        if distance <= limit:
            return f"<={limit}"
    return ">16"


def dating_features(head: Token, present_share: float) -> list[str]:
    """Clues that an undated event happened on the publication day.

    The tense of the clause (digests and headlines use the present), its
    auxiliaries ("has", "will", "was"), quotation, and how much of the whole text
    is written in the present.
    """
    verb = head if head.pos_ in ("VERB", "AUX") else governing_verb(head) or head
    aux = sorted({c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")})
    share = "hi" if present_share >= 0.5 else "mid" if present_share >= 0.2 else "lo"
    found = [f"dtag={verb.tag_}", f"dshare={share}", f"dtag|share={verb.tag_}|{share}"]
    found += [f"daux={a}" for a in aux] or ["daux=none"]
    found += [f"ddep={verb.dep_}"]
    return found


def present_share(doc_sents: list) -> float:
    """Share of sentences whose root verb is in the present tense."""
    roots = [s.root for s in doc_sents if s.root.pos_ in ("VERB", "AUX")]
    if not roots:
        return 0.0
    return sum(r.tag_ in ("VBZ", "VBP") for r in roots) / len(roots)
