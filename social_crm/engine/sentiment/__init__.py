"""Sentiment of a post: language-aware analysers, the shipped models and the site's own model.

`analyzers` is the registry the pipeline and the shell call (`analyze`, `Analyzer`); `model`
holds the linear models and the site model learned from agents' corrections; `features`,
`lexicon`, `lexicon_de` and `emoji` are what the models and rules read. Imports point one way:
analyzers -> model -> features -> lexicons -> emoji.
"""

from social_crm.engine.sentiment.analyzers import (
	UNDETERMINED,
	Analyzer,
	Sentiment,
	UnknownAnalyzer,
	analyze,
	analyze_many,
	available_analyzers,
)

__all__ = [
	"UNDETERMINED",
	"Analyzer",
	"Sentiment",
	"UnknownAnalyzer",
	"analyze",
	"analyze_many",
	"available_analyzers",
]
