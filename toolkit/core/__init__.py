"""The pure core: article text (or a spaCy Doc) in, quotes out. No files, no network, no CLI.

``RULESET_ID`` names the current heuristic rule set; with the toolkit version it forms the
``model_version`` of Label Studio predictions. Bump it whenever a rule or lexicon changes.
"""

RULESET_ID = "rules-1"
