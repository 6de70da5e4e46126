"""The enrollment rush: a production-like topology on one machine and a bounded load against it."""
