"""Hand-built owners and customers for the handover tests."""

from dataclasses import dataclass

from distribution.models import Member
from mall.models import User
from tests.distribution.factories import MemberFactory
from tests.mall.factories import UserFactory


@dataclass
class World:
    old: Member  # the departing reseller
    new: Member  # the reseller taking over
    staff: User
    customers: list[Member]

    @property
    def ids(self) -> list[int]:
        return [c.user_id for c in self.customers]


def world(n: int = 3) -> World:
    old, new = MemberFactory(is_reseller=True), MemberFactory(is_reseller=True)
    staff = UserFactory(is_staff=True)
    customers = [MemberFactory(parent=old, place=False) for _ in range(n)]
    return World(old=old, new=new, staff=staff, customers=customers)
