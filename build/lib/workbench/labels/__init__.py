"""Content labels: rules from captions, brand colours from images, analyst overrides.

See :mod:`workbench.labels.run` for the files read and written.
"""

from workbench.labels.colour import brand_colour_share, brand_colour_shares, measure_images
from workbench.labels.core import join_labels, label_posts, label_version, rule_labels
from workbench.labels.quality import (
    cohen_kappa,
    evaluate_labels,
    posts_to_review,
    rules_vs_overrides,
)
from workbench.labels.rules import parse_hashtags

__all__ = [
    "brand_colour_share",
    "brand_colour_shares",
    "cohen_kappa",
    "evaluate_labels",
    "join_labels",
    "label_posts",
    "label_version",
    "measure_images",
    "parse_hashtags",
    "posts_to_review",
    "rule_labels",
    "rules_vs_overrides",
]

from workbench.labels.run import (  # noqa: E402
    current_labels,
    export_labels_csv,
    label_counts,
    run_label,
)

__all__ += ["current_labels", "export_labels_csv", "label_counts", "run_label"]
