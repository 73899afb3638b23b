import factory

from crm.models import Channel, MessageTemplate, QuietPolicy


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageTemplate

    name = factory.Sequence(lambda n: f"模板{n}")
    channel = Channel.INBOX
    title = "{nickname}，新品上架"
    body = "亲爱的{nickname}，您关注的{product}到货了。"
    link = "/"
    quiet_policy = QuietPolicy.DEFER
