import math

import pytest
from django.db import transaction

from distribution.models import Member
from distribution.referral.services.invite_codes import (
    ALPHABET,
    ENTROPY_BITS,
    invite_code_generate,
    invite_code_normalize,
)
from distribution.referral.services.members import (
    member_create_for_user,
    member_find_by_code,
    member_regenerate_invite_code,
)
from tests.distribution.factories import MemberFactory
from tests.mall.factories import UserFactory


def test_codes_use_an_unambiguous_alphabet_and_carry_at_least_40_bits():
    codes = [invite_code_generate() for _ in range(2000)]

    assert not set("0O1IL") & set(ALPHABET)
    assert all(len(c) == 10 and set(c) <= set(ALPHABET) for c in codes)
    assert pytest.approx(10 * math.log2(31)) == ENTROPY_BITS and ENTROPY_BITS >= 40
    assert len(set(codes)) == len(codes)


def test_every_symbol_is_used_evenly():
    counts = {}
    for _ in range(3000):
        for ch in invite_code_generate():
            counts[ch] = counts.get(ch, 0) + 1

    expected = 30000 / len(ALPHABET)
    assert set(counts) == set(ALPHABET)
    assert all(0.75 * expected < n < 1.25 * expected for n in counts.values())


@pytest.mark.parametrize(("raw", "normalized"), [
    ("abcd efgh jk", "ABCDEFGHJK"),
    ("ABCD-EFGH-JK", "ABCDEFGHJK"),
    ("abc", None),
    ("ABCDEFGHJ1", None),
    ("", None),
    (None, None),
])
def test_normalize(raw, normalized):
    assert invite_code_normalize(raw) == normalized


@pytest.mark.django_db
def test_codes_are_unique():
    codes = [MemberFactory().invite_code for _ in range(50)]

    assert len(set(codes)) == 50
    assert all(len(c) == 10 and set(c) <= set(ALPHABET) for c in codes)


@pytest.mark.django_db
def test_the_code_is_not_a_function_of_the_user():
    user = UserFactory()
    with transaction.atomic():
        first = member_create_for_user(user=user).invite_code
        transaction.set_rollback(True)

    second = member_create_for_user(user=user).invite_code

    assert first != second


@pytest.mark.django_db
def test_staff_regenerate_a_code_and_the_old_one_stops_working():
    member = MemberFactory()
    old = member.invite_code

    new = member_regenerate_invite_code(member=member)

    assert new != old and Member.objects.get(pk=member.pk).invite_code == new
    assert member_find_by_code(invite_code=old) is None
    assert member_find_by_code(invite_code=new.lower()) == member
