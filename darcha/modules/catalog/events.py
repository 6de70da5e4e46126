"""Names of the events the catalog publishes (payloads are JSON)."""

# {"revision": int, "versions": {code: number, ...}, "withdrawn": [code, ...]}: the
# definitions were loaded and these services got a new current version or were withdrawn.
DEFINITIONS_LOADED = "catalog.definitions_loaded"
