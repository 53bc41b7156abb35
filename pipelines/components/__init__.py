"""tokka's Haystack components. In YAML, name each by its defining module, e.g.
`pipelines.components.retrievers.HybridRetriever` (Haystack does not resolve re-exported short paths)."""
