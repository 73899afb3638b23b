from typing import ClassVar, Self

from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class SingletonModel(models.Model):
    """A settings table of exactly one row (pk 1) that staff edit and every request may read.

    Read it with ``Model.get_solo()`` (the row is created with the field defaults on first
    use). Give the table a ``CheckConstraint(condition=Q(pk=1))`` so the database refuses a
    second row; this base defines no field, so adopting it changes no table.

    Caching is opt-in: a subclass that sets ``cache_key`` is kept in the shared cache (Redis in
    production) for ``cache_seconds``. The cache is written only in ``transaction.on_commit``
    (at once outside a transaction), so a row read inside a transaction that rolls back
    never reaches another process; ``save()`` drops the cached copy at once (for the
    writer's own later reads) and again after commit (a reader between the two cached the
    old row). ``QuerySet.update()`` bypasses ``save()``: call ``cache_forget()`` after it.
    """

    SINGLETON_PK: ClassVar[int] = 1
    cache_key: ClassVar[str] = ""  # empty: read from the database every time
    cache_seconds: ClassVar[int] = 3600

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is None:
            self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)
        type(self).cache_forget()

    @classmethod
    def cache_forget(cls) -> None:
        if not cls.cache_key:
            return
        key = cls.cache_key
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))

    @classmethod
    def get_solo(cls) -> Self:
        key = cls.cache_key
        if key:
            cached = cache.get(key)
            if cached is not None:
                return cached
        obj = cls.objects.filter(pk=cls.SINGLETON_PK).first()
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        if key:
            transaction.on_commit(lambda: cache.set(key, obj, cls.cache_seconds))
        return obj
