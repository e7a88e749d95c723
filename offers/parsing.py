"""The feed reader and writers, as the catalogue imports them: they live in `core.delimited`.

What is specific to the catalogue's files is beside it: the rate-table columns in
`offers.rate_format`, the RatedCDRs columns in `offers.selectors`.
"""

from core.delimited import (
    DEFAULT_PROFILE,
    Column,
    FeedFileError,
    FeedLimits,
    FeedProfile,
    FeedReader,
    ParsedRow,
    Parser,
    ParseResult,
    RowError,
    Source,
    choice_reader,
    date_reader,
    decimal_reader,
    digits_reader,
    int_reader,
    is_xlsx,
    open_feed,
    read_feed,
    text_reader,
    unpacked_size,
    write_csv,
    write_xlsx,
)

__all__ = [
    "DEFAULT_PROFILE",
    "Column",
    "FeedFileError",
    "FeedLimits",
    "FeedProfile",
    "FeedReader",
    "ParseResult",
    "ParsedRow",
    "Parser",
    "RowError",
    "Source",
    "choice_reader",
    "date_reader",
    "decimal_reader",
    "digits_reader",
    "int_reader",
    "is_xlsx",
    "open_feed",
    "read_feed",
    "text_reader",
    "unpacked_size",
    "write_csv",
    "write_xlsx",
]
