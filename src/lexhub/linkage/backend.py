"""Where Splink runs: DuckDB in process (the default) or Spark (`lexhub link --backend spark`).

The model is the same on both: `mention_settings()` is built from Splink's comparison and
blocking libraries, which compile to each engine's SQL, and a model trained on one engine
is carried to the other by its parameters (`model_for`), not by its SQL text, which names
engine functions. DuckDB is the fast path for one machine; Spark is for a region whose
mentions outgrow one machine's memory (docs/linkage.md, "Spark").

pyspark is an optional dependency (`pip install lexhub[spark]`) and a Java runtime must be
on the PATH; both are imported or started only when the Spark backend is asked for.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from splink import DuckDBAPI

from lexhub.errors import LexhubError
from lexhub.linkage.frame import FRAME_COLUMNS
from lexhub.linkage.settings import mention_settings

__all__ = [
    "BACKENDS", "SparkOptions", "check_backend", "linker_input", "model_for", "sample_input",
    "spark_session",
]  # fmt: skip

log = logging.getLogger(__name__)

BACKENDS = ("duckdb", "spark")

# DuckDB's own memory (its tables and operators, not the pandas frames it reads): beyond
# this it spills to a temporary directory instead of growing. DuckDB's default is 80% of
# the machine's memory, and at a million mentions the blocked and scored pairs (tens of
# millions of rows) would take it, beside the mention frame and the pairs' numpy columns.
DUCKDB_MEMORY = "5GB"

# Column kinds of the mention frame, for Spark's explicit schema: inferring it from a
# pandas frame fails on a column that is NULL in every row of a small region.
_ARRAYS = frozenset(
    {"first_nick", "first_dm", "surname_dm", "phones", "addresses", "identifiers", "marks",
     "aliases", "buildings", "postcodes", "postcode_numbers", "streets"}
)  # fmt: skip
_INTEGERS = frozenset({"unique_id", "dob_year"})


@dataclass(frozen=True)
class SparkOptions:
    """How the Spark session is built when none is active (an active session, e.g. under
    spark-submit or in a notebook, is used as it is)."""

    master: str = "local[1]"  # e.g. spark://host:7077 for a standalone cluster
    shuffle_partitions: int = 8
    driver_memory: str = "4g"


def spark_session(opts: SparkOptions) -> Any:
    """The active SparkSession, or a new one with Splink's similarity jar (Jaro-Winkler,
    Damerau-Levenshtein as Scala UDFs), no web UI, and few shuffle partitions (Spark's 200
    default makes a small local job spend its time scheduling empty tasks)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    log.info("linkage: starting Spark, master %s", opts.master)
    return (
        SparkSession.builder.master(opts.master)
        .appName("lexhub-link")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(opts.shuffle_partitions))
        .config("spark.default.parallelism", str(opts.shuffle_partitions))
        .config("spark.driver.memory", opts.driver_memory)
        # Not ./spark-warehouse in whatever directory lexhub was started from.
        .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / "lexhub-spark"))
        .getOrCreate()
    )


def _spark_frame(spark: Any, frame: pd.DataFrame) -> Any:
    from pyspark.sql import types as T

    def kind(c: str) -> T.DataType:
        if c in _ARRAYS:
            return T.ArrayType(T.StringType())
        return T.LongType() if c in _INTEGERS else T.StringType()

    schema = T.StructType([T.StructField(c, kind(c), True) for c in FRAME_COLUMNS])
    ints = [FRAME_COLUMNS.index(c) for c in _INTEGERS]
    rows = []
    for rec in frame[list(FRAME_COLUMNS)].itertuples(index=False, name=None):
        row = [None if isinstance(v, float) and v != v else v for v in rec]  # NaN -> NULL
        for i in ints:
            value = row[i]
            row[i] = None if value is None else int(value)
        rows.append(row)
    return spark.createDataFrame(rows, schema)


def _duckdb() -> DuckDBAPI:
    """An in-memory DuckDB held to DUCKDB_MEMORY, spilling to the system's temporary
    directory."""
    spill = Path(tempfile.gettempdir()) / "lexhub-duckdb"
    connection = duckdb.connect(
        config={"memory_limit": DUCKDB_MEMORY, "temp_directory": str(spill)}
    )
    return DuckDBAPI(connection)


def check_backend(backend: str) -> None:
    """Raises LexhubError naming the choices for a backend lexhub does not know."""
    if backend not in BACKENDS:
        raise LexhubError(f"unknown linkage backend {backend!r}: one of {', '.join(BACKENDS)}")


@contextmanager
def linker_input(
    backend: str, frame: pd.DataFrame, spark: SparkOptions | None = None
) -> Iterator[tuple[Any, Any]]:
    """(Splink database API, input table) for `frame` on `backend`; Spark's intermediate
    tables (Splink breaks lineage with parquet files) live in a directory removed on exit,
    so callers MUST read what they need (e.g. the scored pairs) inside the block."""
    if backend == "duckdb":
        yield _duckdb(), frame
        return
    check_backend(backend)
    try:
        from splink.backends.spark import SparkAPI
    except ImportError as e:
        raise LexhubError(
            "the spark backend needs PySpark: pip install 'lexhub[spark]' (and a Java runtime)"
        ) from e

    session = spark_session(spark or SparkOptions())
    with tempfile.TemporaryDirectory(prefix="lexhub-spark-") as work:
        session.sparkContext.setCheckpointDir(work)
        yield SparkAPI(spark_session=session), _spark_frame(session, frame)  # type: ignore[no-untyped-call]


@contextmanager
def sample_input(backend: str, api: Any, frame: pd.DataFrame) -> Iterator[tuple[Any, Any]]:
    """(Splink database API, input table) for a second frame (the training sample) beside
    the one `linker_input` gave `api`: a separate API, so Splink's cache of intermediate
    tables never hands one linker the other's tables; on Spark, the same session."""
    if backend == "duckdb":
        yield _duckdb(), frame
        return
    from splink.backends.spark import SparkAPI

    yield SparkAPI(spark_session=api.spark), _spark_frame(api.spark, frame)  # type: ignore[no-untyped-call]


def model_for(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A trained model (Splink's JSON) re-expressed in `dialect`: today's settings compiled
    for that engine, with the trained prior and every level's m and u copied over.

    Raises ValueError when the model's comparisons or levels are not today's (a model saved
    before a settings change cannot be carried over level by level)."""
    fresh: dict[str, Any] = mention_settings().get_settings(dialect).as_dict()  # type: ignore[no-untyped-call]
    if [c["output_column_name"] for c in fresh["comparisons"]] != [
        c["output_column_name"] for c in model["comparisons"]
    ]:
        raise ValueError("the saved model's comparisons differ from the current settings")
    for new, old in zip(fresh["comparisons"], model["comparisons"], strict=True):
        if len(new["comparison_levels"]) != len(old["comparison_levels"]):
            raise ValueError(f"the saved model's {old['output_column_name']} levels differ")
        for level, trained in zip(new["comparison_levels"], old["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in trained:
                    level[key] = trained[key]
    fresh["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    return fresh
