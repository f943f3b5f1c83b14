"""The shipped dataset: `plan_dataset` reads and checks fixtures/ (plan.py), `load_dataset` writes it (load.py)."""

from tracker.dataset.load import load_dataset
from tracker.dataset.plan import plan_dataset
from tracker.dataset.report import LoadReport
from tracker.dataset.rows import DatasetError, kind_from_name

__all__ = ["DatasetError", "LoadReport", "kind_from_name", "load_dataset", "plan_dataset"]
