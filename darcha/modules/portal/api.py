"""Public surface of the portal module: the only thing other modules import."""
