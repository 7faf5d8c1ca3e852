"""Draft the peer dictionary's entries for indicators without one: `python -m analytics.peers.draft`.

Prints TOML (version 1, the formula taken from the indicator's description) to review, word
as a formula and append to analytics/peers/dictionary.toml; a test fails until every
publishable indicator has its definition.
"""

from __future__ import annotations

from analytics.peers.dictionary import missing_entries

if __name__ == "__main__":
    print(missing_entries() or "Every indicator has a definition.")
