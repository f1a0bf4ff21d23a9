"""Probity's Python client: build, validate, sign and send evidence records through the ingest gateway.

    import probity
    probity.configure(url="http://127.0.0.1:8788", token=..., spool_dir="/var/spool/probity")
    with probity.stage("TRAINING", tenant="acme-bank", run_id=run, model_id="credit-risk") as s:
        s.add_input("loans-2024q4", "DATASET", probity.sha256_file("loans.parquet"))
        ...
"""

from .client import Client, FlushResult
from .errors import FieldIssue, GatewayError, ProbityError, SpoolError, ValidationError
from .schema import RECORD_TYPES, EncodedRecord, encode_record
from .signing import Signer
from .stage import Stage, configure, default_client, sha256_file, stage

__version__ = "0.1.0"

__all__ = [
    "RECORD_TYPES",
    "Client",
    "EncodedRecord",
    "FieldIssue",
    "FlushResult",
    "GatewayError",
    "ProbityError",
    "Signer",
    "SpoolError",
    "Stage",
    "ValidationError",
    "configure",
    "default_client",
    "encode_record",
    "sha256_file",
    "stage",
]
