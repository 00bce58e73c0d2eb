"""Score extractions against hand-made gold events and entities.

An analyst tuning the extractor needs one number that moves when it gets better, and
the list of what it missed. The matching follows the conventions of the development
corpus (``corpus/README.md`` and its ``score.py``), so ``kg evaluate`` and the corpus
scorer report the same figures for the same output:

* names match after normalisation (accents, case, punctuation, possessive 's, a
  leading "the") against a gold name, canonical name or alias; a looser key also drops
  leading titles and demonyms ("German Chancellor Angela Merkel" -> "angela merkel");
* a lenient event match needs the CAMEO root (or an ``alt_types`` root), the source and,
  when the gold has one, the target, each by name or by equal ISO3 country code;
  ``alt_sources``/``alt_targets`` are accepted and symmetric events match swapped;
* a strict match also needs the place (by name, or by country code when the gold place
  is a country) and the date (exact or one of ``alt_dates``); a null gold is unchecked;
* matching is one-to-one (maximum bipartite) per article; optional gold items are
  neither rewarded nor penalised, and a further system event that matches an already
  matched joint or mutual gold event is ignored rather than called a false alarm.

The modules, in the order the data flows: :mod:`~kg.evaluation.keys` (when two names,
codes or dates are the same), :mod:`~kg.evaluation.gold` (gold records and
:func:`load_gold`), :mod:`~kg.evaluation.matching` (the rules above),
:mod:`~kg.evaluation.scores` (P/R/F1 records), :mod:`~kg.evaluation.scoring`
(:func:`evaluate`) and :mod:`~kg.evaluation.report` (:func:`format_report`).
"""

from kg.evaluation.gold import GoldArticle, GoldEvent, GoldName, load_gold
from kg.evaluation.keys import (
    article_key,
    cameo_root,
    cameo_roots,
    loose_key,
    normalise,
)
from kg.evaluation.matching import lenient_match, strict_match
from kg.evaluation.report import format_report
from kg.evaluation.scores import (
    ArticleResult,
    EvaluationReport,
    Geocoding,
    RootScore,
    Score,
)
from kg.evaluation.scoring import ASSERTED, evaluate

__all__ = [
    "ASSERTED",
    "ArticleResult",
    "EvaluationReport",
    "Geocoding",
    "GoldArticle",
    "GoldEvent",
    "GoldName",
    "RootScore",
    "Score",
    "article_key",
    "cameo_root",
    "cameo_roots",
    "evaluate",
    "format_report",
    "lenient_match",
    "load_gold",
    "loose_key",
    "normalise",
    "strict_match",
]
