"""The kernel's admin pages (``common/admin.py``): the intermediate form page of an admin
action over selected objects (the orders admin's object pages are tested in tests/orders)."""

import pytest
from django import forms
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.test import RequestFactory

from common.admin import action_form_page
from common.errors import DomainError
from mall.models import Supplier
from tests.mall.factories import SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db


class NoteForm(forms.Form):
    note = forms.CharField(label="note", max_length=20)


def _request(data: dict):
    request = RequestFactory().post("/admin/mall/supplier/", data)
    request.user = UserFactory(is_staff=True, is_superuser=True)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _page(request, run):
    model_admin = admin.site._registry[Supplier]
    queryset = Supplier.objects.order_by("pk")
    return action_form_page(model_admin, request, queryset, title="Add a note", action="note",
                            form_class=NoteForm, run=run)


def test_the_changelist_post_shows_the_form_with_the_selected_objects_and_runs_nothing():
    SupplierFactory(name="甲"), SupplierFactory(name="乙")
    calls = []

    response = _page(_request({"action": "note", "_selected_action": ["1"]}),
                     lambda obj, data: calls.append(obj))

    response.render()
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="apply"' in html and 'value="note"' in html
    assert "<li>甲</li>" in html and "<li>乙</li>" in html
    assert calls == []


def test_apply_runs_the_service_per_object_and_reports_the_done_and_the_refused():
    SupplierFactory(name="甲")
    second = SupplierFactory(name="乙")

    def run(obj, data):
        if obj == second:
            raise DomainError("乙 refused")
        Supplier.objects.filter(pk=obj.pk).update(contact_name=data["note"])

    request = _request({"action": "note", "apply": "1", "note": "已核对"})
    response = _page(request, run)

    assert response is None  # back to the changelist
    assert [str(m) for m in get_messages(request)] == ["乙: 乙 refused", "已完成 1 项。"]
    assert dict(Supplier.objects.values_list("name", "contact_name")) == {
        "甲": "已核对", "乙": second.contact_name}


def test_an_invalid_form_shows_the_page_again_and_changes_nothing():
    supplier = SupplierFactory(name="甲")

    response = _page(_request({"action": "note", "apply": "1", "note": ""}),
                     lambda obj, data: Supplier.objects.update(contact_name="x"))

    assert response.status_code == 200
    assert response.context_data["form"].errors == {"note": ["该字段是必填项。"]}
    assert Supplier.objects.get(pk=supplier.pk).contact_name == supplier.contact_name
