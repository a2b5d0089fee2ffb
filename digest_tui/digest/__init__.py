"""The digest model and reading it: parsing, the library, its cache, search, filters, related entries, trends."""
