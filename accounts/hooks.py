"""What the apps above accounts add to its rules.

Logins are one namespace per schema, staff and end customers alike: an upper app that reserves
logins of its own (a customer's login identifier, before its portal account exists) registers
a check here, so no account of anyone else can take them."""

from collections.abc import Callable

# check(login, reserved_by) -> True when `login` (compared case-insensitively) is reserved by
# something other than `reserved_by` (the object the account is created for, if any)
LoginReservation = Callable[[str, object | None], bool]

_reservations: list[LoginReservation] = []


def register_login_reservation(check: LoginReservation) -> None:
    if check not in _reservations:
        _reservations.append(check)


def login_reserved_elsewhere(login: str, *, reserved_by: object | None = None) -> bool:
    return any(check(login, reserved_by) for check in _reservations)
