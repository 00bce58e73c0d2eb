"""Extraction on a Dask cluster: workers extract, this process stores, in order.

``kg ingest --dask ADDRESS`` sends batches of articles to the workers of a Dask
scheduler (or of a cluster of this machine's cores, ``--dask local``) and yields
their :class:`~kg.records.Extraction` records in input order, so the caller's
one writer stores exactly what a single process would. Each worker thread
builds its pipeline once, on its first batch, and keeps it. Few batches are in
flight at a time, so memory does not grow with the corpus.

Dask's nannies start workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which fixes
glibc's trim threshold low: spaCy then returns and re-maps memory all the time
and spends more CPU. The local cluster leaves the variable unset; for a real
cluster, README.md ("Running on a Dask cluster") shows the dask config to set.
Nothing here imports dask until a cluster is used.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import chain, islice
from typing import TYPE_CHECKING

from kg import __version__
from kg.errors import KGError, ModelError, UsageError
from kg.records import Article, Extraction

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster
    from spacy.language import Language

logger = logging.getLogger(__name__)

#: The ``--dask`` value that starts a cluster on this machine.
LOCAL = "local"
#: Batches in flight per worker thread: enough to keep each busy while results
#: travel back, few enough that memory does not grow with the corpus.
AHEAD = 2
#: Seconds to reach a scheduler, and then to wait for its first worker.
CONNECT_TIMEOUT = 10.0
WORKER_TIMEOUT = 60.0
#: The dask config key whose ``None`` leaves glibc's trim threshold to glibc.
TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
TRIM_ENV = "MALLOC_TRIM_THRESHOLD_"
README_SECTION = "README.md, 'Running on a Dask cluster'"

_local = threading.local()


class ClusterError(KGError):
    """The Dask cluster cannot be reached, has no workers, or lost them."""


def check_options(dask: str | None, workers: int) -> None:
    """Refuse a malformed Dask address, or one with local worker processes.

    Called before any work starts (opening the store, loading the model), so a
    typo costs no time.

    Raises:
        UsageError: both were asked for, or ``dask`` is not a Dask address.
    """
    if dask and workers > 1:
        raise UsageError(
            f"--dask {dask} and --workers {workers} both choose where extraction "
            "runs: drop --workers (with --dask local, Dask starts one worker per core)."
        )
    if dask and dask != LOCAL:
        _parse(dask)


def extract_distributed(
    articles: Iterable[Article],
    address: str,
    *,
    model: str | None = None,
    batch_size: int = 32,
    label: str | None = None,
    timeout: float = CONNECT_TIMEOUT,
    coder: str | None = None,
) -> Iterator[Extraction]:
    """Yield one Extraction per article, in input order, from a Dask cluster.

    The cluster is reached (or, for "local", started) only once there is a
    first batch to extract, and left (or shut down) when the articles run out.

    Args:
        articles: consumed lazily, a few batches per worker thread ahead.
        address: a scheduler address (``tcp://HOST:8786``) or ``"local"``.
        model: spaCy pipeline name each worker builds (None: the default).
        batch_size: articles per task, and documents per ``nlp.pipe`` batch.
        label: the model label this process records; a worker whose pipeline
            has another one refuses to extract (None: not checked).
        timeout: seconds to reach the scheduler.
        coder: the trained coder version this process records; a worker that
            loads another one refuses to extract (None: not checked).

    Raises:
        ClusterError: the scheduler cannot be reached, or its workers cannot run
            kg, or a worker died on a batch.
        ModelError: a worker has no usable or another model or coder.
    """
    batches = _batched(articles, batch_size)
    first = next(batches, None)
    if first is None:
        return
    with connect(address, timeout=timeout) as client:
        task = partial(
            _extract_batch,
            model=model,
            batch_size=batch_size,
            label=label,
            coder=coder,
        )
        yield from _extract_ordered(client, chain([first], batches), task)


@contextmanager
def connect(address: str, *, timeout: float = CONNECT_TIMEOUT) -> Iterator[Client]:
    """A Dask client of the scheduler at ``address``, or of a new local cluster.

    Raises:
        UsageError: ``address`` is not a Dask address.
        ClusterError: the scheduler cannot be reached, has no worker within
            WORKER_TIMEOUT seconds, or its workers run another kg version.
    """
    _require_dask()
    from distributed import Client

    if address == LOCAL:
        with local_cluster() as cluster, Client(cluster, set_as_default=False) as c:
            logger.info("started a local Dask cluster at %s", cluster.scheduler_address)
            yield c
        return
    _probe(address, timeout)
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except OSError as error:
        raise ClusterError(_unreachable(address, str(error))) from None
    with client:
        _check_workers(client, address)
        yield client


def _require_dask() -> None:
    """Dask is an extra (``kg-events[dask]``): say how to get it, not a traceback.

    Raises:
        UsageError: dask or distributed is not installed.
    """
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as err:
        raise UsageError(
            f"--dask needs Dask, which is not installed ({err.name} is missing): "
            "install it with `pip install 'kg-events[dask]'`, or drop --dask "
            "(use --workers N to extract on this machine's cores)."
        ) from None


def local_cluster(n_workers: int | None = None) -> LocalCluster:
    """A Dask cluster of worker processes on 127.0.0.1, one thread each.

    Args:
        n_workers: worker processes; None gives one per core this process may use.
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({TRIM_KEY: None}):
        return LocalCluster(
            n_workers=n_workers or _cores(),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # The scheduler's HTTP server runs even without a dashboard: keep it
            # on loopback and off port 8787, which a user's own dashboard may hold.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _probe(address: str, timeout: float) -> None:
    """Fail at once, with the reason, when nothing listens at a TCP address.

    Dask's own connect retries a refused connection until its timeout and then
    reports only "timed out"; a wrong port or a stopped scheduler is the usual
    cause, and the user should hear so straight away.
    """
    scheme, host, port = _parse(address)
    if scheme not in ("tcp", "tls"):
        return
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise ClusterError(_unreachable(address, reason)) from None


def _parse(address: str) -> tuple[str, str, int]:
    """The scheme, host and port of a Dask address (port 0 if it has none).

    Raises:
        UsageError: not an address Dask can connect to.
    """
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
        if scheme not in ("tcp", "tls"):
            return scheme, location, 0
        return (scheme, *parse_host_port(location))
    except ValueError as error:
        raise UsageError(
            f"--dask {address!r} is not a Dask scheduler address ({error}); give "
            f"one such as tcp://HOST:8786, or '{LOCAL}' for a cluster on this machine."
        ) from None


def _unreachable(address: str, reason: str) -> str:
    return (
        f"cannot reach the Dask scheduler at {address} ({reason}). Start one there "
        "with 'dask scheduler' and workers with 'dask worker ADDRESS', check the "
        f"host, port and firewall, or use --dask {LOCAL} (see {README_SECTION})."
    )


def _check_workers(client: Client, address: str) -> None:
    """Wait for a worker, then check that every worker runs this kg version."""
    from distributed import TimeoutError as DaskTimeout

    if not client.nthreads():
        logger.warning(
            "no Dask worker at %s yet; waiting up to %.0f s for one",
            address,
            WORKER_TIMEOUT,
        )
    try:
        client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
    except (DaskTimeout, TimeoutError):
        raise ClusterError(
            f"the Dask scheduler at {address} has had no worker for "
            f"{WORKER_TIMEOUT:.0f} s; start some with 'dask worker {address}'."
        ) from None
    try:
        facts = client.run(_worker_facts)
    except Exception as error:  # whatever a worker without kg raises
        raise ClusterError(
            f"the Dask workers at {address} cannot run kg ({type(error).__name__}: "
            f"{error}); install kg {__version__} and its model on every worker."
        ) from None
    _compare_workers(facts, address)


def _worker_facts() -> tuple[str, str | None]:
    """Worker side: its kg version and its malloc trim setting."""
    return __version__, os.environ.get(TRIM_ENV)


def _compare_workers(facts: dict[str, tuple[str, str | None]], address: str) -> None:
    """Refuse workers with another kg; warn about a fixed malloc trim threshold."""
    other = {w: v for w, (v, _) in facts.items() if v != __version__}
    if other:
        worker, version = next(iter(other.items()))
        raise ClusterError(
            f"{len(other)} Dask worker(s) at {address} run kg {version} (e.g. "
            f"{worker}), this process kg {__version__}; install the same kg on "
            "every worker, so that they extract the same events."
        )
    trimmed = sorted(w for w, (_, trim) in facts.items() if trim is not None)
    if trimmed:
        logger.warning(
            "%d Dask worker(s) run with %s set (Dask's default is 65536), which "
            "costs spaCy CPU; unset it in the workers' dask config (see %s)",
            len(trimmed),
            TRIM_ENV,
            README_SECTION,
        )


def _extract_ordered(
    client: Client,
    batches: Iterable[list[Article]],
    task: Callable[[list[Article]], list[Extraction]],
) -> Iterator[Extraction]:
    """Submit batches a few per worker thread ahead; yield results in order."""
    pending: deque[Future] = deque()
    try:
        for batch in batches:
            pending.append(client.submit(task, batch, pure=False))
            if len(pending) >= AHEAD * _threads(client):
                yield from _result(pending.popleft())
        while pending:
            yield from _result(pending.popleft())
    finally:
        if pending:
            client.cancel(list(pending))


def _threads(client: Client) -> int:
    """Worker threads now, so workers that join late get work too."""
    return max(1, sum(client.nthreads().values()))


def _result(future: Future) -> list[Extraction]:
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as error:
        raise ClusterError(
            f"Dask workers died on the same batch of articles ({error}); a worker "
            "may have run out of memory: give the workers more (dask worker "
            "--memory-limit), or fewer workers per machine."
        ) from None


def _batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _extract_batch(
    articles: list[Article],
    *,
    model: str | None,
    batch_size: int,
    label: str | None,
    coder: str | None = None,
) -> list[Extraction]:
    """Worker task: the extractions of one batch of articles.

    Each worker thread's first task with a pipeline runs outside a spaCy memory
    zone and every later one inside, so a long-lived worker's memory stays flat.
    """
    from kg.extraction.batch import extract_batch

    nlp = _pipeline(model, label)
    if coder is not None:
        _check_coder(coder)
    used: set[int] = _local.__dict__.setdefault("used", set())
    zone = id(nlp) in used
    used.add(id(nlp))
    return extract_batch(articles, nlp, batch_size=batch_size, zone=zone)


def _pipeline(model: str | None, label: str | None) -> Language:
    """This worker thread's pipeline for ``model``, built on first use.

    The label is checked on every batch: a long-lived worker serves clients
    that may have other models.

    Raises:
        ModelError: the pipeline's label is not ``label``.
    """
    from kg.extraction.pipeline import build_pipeline, model_label

    cache: dict[str | None, Language] = _local.__dict__.setdefault("pipelines", {})
    if model not in cache:
        cache[model] = build_pipeline(model)
    nlp = cache[model]
    if label is not None and model_label(nlp) != label:
        raise ModelError(
            f"the Dask worker on {socket.gethostname()} loads {model_label(nlp)!r}, "
            f"this process {label!r}; install the same model version on every "
            "worker (or pass --model)."
        )
    return nlp


def _check_coder(expected: str) -> None:
    """Refuse to extract with another trained coder than the client records.

    A worker loads ``KG_CODER_DIR`` from its own environment, else its bundled
    coder: on another machine either may differ, and the store would then
    record a version its events were not coded with.

    Raises:
        ModelError: the worker's coder version is not ``expected``.
    """
    from kg.extraction.coder import CODER_ENV, coder_version

    found = coder_version()
    if found != expected:
        raise ModelError(
            f"the Dask worker on {socket.gethostname()} loads trained coder "
            f"{found}, this process {expected}; give every worker the same "
            f"model folder ({CODER_ENV}) or the same kg."
        )
