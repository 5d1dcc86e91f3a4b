"""Label Studio exports -> Hugging Face dataset: features, splits, writer, card, chart, agreement.

Library entry points (the CLI's ``quotekit build`` / ``quotekit agreement`` call these)::

    from toolkit.dataset import build_dataset, compute_agreement
    summary = build_dataset(["export.json"], "out/dataset")
"""

from toolkit.dataset.agreement import AgreementReport
from toolkit.dataset.build import BuildSummary, build_dataset, compute_agreement, push_to_hub

__all__ = ["AgreementReport", "BuildSummary", "build_dataset", "compute_agreement", "push_to_hub"]
