import factory

from distribution.models import Member, ResellerLevel
from distribution.referral.services.members import member_create_for_user
from distribution.referral.services.placement import referral_tree_place_pending
from tests.mall.factories import UserFactory


class ResellerLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResellerLevel

    name = factory.Sequence(lambda n: f"等级{n}")
    weight = factory.Sequence(lambda n: n + 1)


class MemberFactory(factory.django.DjangoModelFactory):
    """A member made the way sign-up makes one (rows are never saved directly).

    ``MemberFactory()`` is a new root; ``MemberFactory(parent=m)`` signs up under ``m`` and,
    unless ``place=False``, is placed at once. Other keyword arguments set business fields.
    """

    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, user, parent=None, place=True, source="code", **fields):
        member = member_create_for_user(user=user, invite_code=parent.invite_code if parent else None,
                                        source=source)
        if fields:
            Member.objects.filter(pk=member.pk).update(**fields)
        if parent is not None and place:
            referral_tree_place_pending(tree_id=member.tree_id, wait=True)
        return Member.objects.get(pk=member.pk)
