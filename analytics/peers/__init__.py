"""Peer groups: members publish dated KPI cards (rates, ratios and statuses), the group's spread.

One module per question: `groups` (who is in a group and what each member publishes), `cards`
(a card and its file text), `dictionary` (the versioned definition of every figure a card can
publish), `card_file` (the pydantic models a card file is read into, and
their JSON Schema), `card_errors` (their errors told plainly), `sharing` (publishing, exporting
and importing cards) and `spread` (where the members stand). Everything is re-exported here, so
callers keep writing `from analytics import peers` and `peers.publish(...)`.
"""

from analytics.peers.card_file import (
    CARD_FORMAT,
    CARD_VERSION,
    STATUSES,
    CardFigure,
    CardFile,
    CardMember,
    card_json_schema,
)
from analytics.peers.cards import (
    MAX_CARD_BYTES,
    Card,
    Figure,
    build_card,
    card_dict,
    card_json,
    parse_card,
)
from analytics.peers.dictionary import Definition, current_version, definition, definitions
from analytics.peers.groups import (
    AMOUNT_UNITS,
    MAX_GROUP_NAME,
    MAX_NAME,
    MAX_RESET_ITEM,
    Group,
    Member,
    accept_invitation,
    create_group,
    find_group,
    get_group,
    get_member,
    join_group,
    leave_group,
    list_groups,
    members,
    membership,
    publishable,
    publishable_ids,
    require_member,
    set_reset_item,
)
from analytics.peers.sharing import ImportOutcome, cards, import_card, latest_card_json, publish
from analytics.peers.spread import (
    MIN_FOR_QUARTILES,
    latest_figures,
    member_labels,
    pooling_notes,
    reds,
    spread,
    standing,
)

__all__ = [
    "AMOUNT_UNITS",
    "CARD_FORMAT",
    "CARD_VERSION",
    "MAX_CARD_BYTES",
    "MAX_GROUP_NAME",
    "MAX_NAME",
    "MAX_RESET_ITEM",
    "MIN_FOR_QUARTILES",
    "STATUSES",
    "Card",
    "CardFigure",
    "CardFile",
    "CardMember",
    "Definition",
    "Figure",
    "Group",
    "ImportOutcome",
    "Member",
    "accept_invitation",
    "build_card",
    "card_dict",
    "card_json",
    "card_json_schema",
    "cards",
    "create_group",
    "current_version",
    "definition",
    "definitions",
    "find_group",
    "get_group",
    "get_member",
    "import_card",
    "join_group",
    "latest_card_json",
    "latest_figures",
    "leave_group",
    "list_groups",
    "member_labels",
    "members",
    "membership",
    "parse_card",
    "pooling_notes",
    "publish",
    "publishable",
    "publishable_ids",
    "reds",
    "require_member",
    "set_reset_item",
    "spread",
    "standing",
]
