from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mall import selectors


def home(request: HttpRequest) -> HttpResponse:
    products = selectors.product_list()[:20]
    return render(request, "mall/home.html", {"products": products})
