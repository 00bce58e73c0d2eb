"""The trained event coder: a learned layer between rule candidates and output.

Rules and the trigger lexicon propose candidate events generously (every trigger
word with every actor of its sentence as source and target, plus what the
dependency rules would say); a linear model trained on annotated articles
(``kg train``) scores each candidate, and the best-scoring candidate of each
trigger becomes an event when its score clears the model's threshold. The score
is the event's ``kg:confidence``.

Modules, in the order data flows: :mod:`~kg.extraction.coder.files` (the trained
files: where they are, their version, loading them), :mod:`~.candidates`
(candidates and their features), :mod:`~.selection` (scoring and choosing), and
:mod:`~.training` (``kg train`` and cross-validation; needs scikit-learn).
"""

from kg.extraction.coder.files import (
    BUNDLED_DIR,
    CODER_ENV,
    CoderModel,
    coder_dir,
    coder_version,
    load_coder,
)

__all__ = [
    "BUNDLED_DIR",
    "CODER_ENV",
    "CoderModel",
    "coder_dir",
    "coder_version",
    "load_coder",
]
