"""quotekit: a quote attribution dataset toolkit.

Public API (library first, CLI second)::

    from toolkit import Article, Quote, __version__
"""

from toolkit.types import Article, Quote

__version__ = "0.1.0"

__all__ = ["Article", "Quote", "__version__"]
