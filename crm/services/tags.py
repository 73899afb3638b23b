"""Tags: at most ``MAX_TAGS`` (3,000), put on members by staff, or by a reseller on their own
customers (members bound directly under them). Rule tags (``services/rule_tags.py``) count
toward the limit but are only ever put on and taken off by their daily run: the services
here refuse them (``RuleTagReadOnly``)."""

from django.db import transaction

from crm import lock_objects
from crm.errors import NotYourCustomer, RuleTagReadOnly, TagLimitReached
from crm.models import MAX_TAGS, MemberTag, Tag, TagGroup, TagSource
from distribution.models import Member
from mall.models import User


def _manual(tag: Tag) -> None:
    if tag.rule_key:
        raise RuleTagReadOnly


@transaction.atomic
def tag_create(*, group: TagGroup, name: str) -> Tag:
    if group.rule_family:
        raise RuleTagReadOnly
    lock_objects.tags_limit_lock()
    if Tag.objects.count() >= MAX_TAGS:
        raise TagLimitReached
    return Tag.objects.get_or_create(group=group, name=name.strip())[0]


def member_tags_add_by_staff(*, tag: Tag, user_ids: list[int], operator: User | None) -> int:
    """Tag these members (idempotent); returns how many were offered."""
    _manual(tag)
    rows = [MemberTag(user_id=uid, tag=tag, source=TagSource.STAFF, added_by=operator)
            for uid in sorted(set(user_ids))]
    with transaction.atomic():
        MemberTag.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def member_tag_add_by_reseller(*, reseller: User, tag: Tag, user_id: int) -> MemberTag:
    """A reseller tags one of their own customers (a direct downline); anyone else is
    refused (``NotYourCustomer``) and nothing changes."""
    _manual(tag)
    own = Member.objects.filter(user_id=user_id, parent__user=reseller, parent__is_reseller=True).exists()
    if not own:
        raise NotYourCustomer
    with transaction.atomic():
        defaults = {"source": TagSource.RESELLER, "added_by": reseller}
        return MemberTag.objects.get_or_create(user_id=user_id, tag=tag, defaults=defaults)[0]


def member_tag_remove(*, tag: Tag, user_id: int) -> int:
    _manual(tag)
    return MemberTag.objects.filter(tag=tag, user_id=user_id).delete()[0]
