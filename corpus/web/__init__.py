"""Web pages into a collection: address safety, polite fetching, and a same-site crawler."""
