"""The mixed load of ``make load``: shoppers browse, search, open products, add to cart,
check out and pay through the sandbox cashier; visitors sign up with invite codes;
resellers open their centre and withdraw. ``/healthz`` (a view that touches nothing) is the
floor, served by the same processes in the same run.

Loopback only (``run.sh`` refuses another host), bounded in time (``-t``) and stopped by
itself. Accounts come from ``var/load/accounts.json`` (``prepare.py``; ``LOAD_ACCOUNTS`` names
another file, as ``make chaos`` does).
"""

import itertools
import json
import os
import random
import re
import secrets
import threading
from pathlib import Path

from locust import HttpUser, between, events, task

ACCOUNTS = Path(__file__).resolve().parents[2] / "var" / "load" / "accounts.json"
DATA = json.loads(Path(os.environ.get("LOAD_ACCOUNTS", ACCOUNTS)).read_text())
SHOPPERS = itertools.cycle(DATA["shoppers"])
RESELLERS = itertools.cycle(DATA["resellers"])
LOCK = threading.Lock()
PRODUCT_IDS = sorted({s["product_id"] for s in DATA["skus"]})
SKU_IDS = [s["sku_id"] for s in DATA["skus"]]
SEARCH_WORDS = ["奶粉", "面膜", "茶", "米", "纸巾", "洗衣", "a"]
# Business refusals a real reseller meets under this load (not errors of the site).
EXPECTED_REFUSALS = {"withdrawal_daily_limit"}  # 3 a day by default
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.test_start.add_listener
def _loopback_only(environment, **kwargs):
    host = environment.host or ""
    if not re.match(r"^https?://(127\.0\.0\.1|localhost)(:\d+)?/?$", host):
        raise SystemExit(f"the load test only runs against this machine (loopback), not {host!r}")


def _next(pool):
    with LOCK:
        return next(pool)


class Shopper(HttpUser):
    """A signed-in buyer (API token) who also views the H5 pages."""

    weight = 8
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        account = _next(SHOPPERS)
        self.address_id = account["address_id"]
        response = self.client.post("/api/v1/auth/signin/", json={"phone": account["phone"],
                                                                   "password": DATA["password"]},
                                    name="api: sign in")
        self.auth = {"Authorization": f"Token {response.json()['token']}"}

    @task(10)
    def home(self) -> None:
        self.client.get("/", name="page: home")

    @task(6)
    def product_list(self) -> None:
        self.client.get("/api/v1/products/", name="api: products")

    @task(5)
    def search(self) -> None:
        self.client.get("/search/", params={"q": random.choice(SEARCH_WORDS)}, name="page: search")

    @task(10)
    def product_page(self) -> None:
        self.client.get(f"/p/{random.choice(PRODUCT_IDS)}/", name="page: product")

    @task(3)
    def add_to_cart(self) -> None:
        self.client.post("/api/v1/cart/items/", json={"sku_id": random.choice(SKU_IDS), "quantity": 1},
                         headers=self.auth, name="api: add to cart")

    @task(2)
    def checkout_and_pay(self) -> None:
        response = self.client.post(
            "/api/v1/orders/", name="api: checkout",
            headers={**self.auth, "Idempotency-Key": f"load:{secrets.token_urlsafe(12)}"},
            json={"lines": [{"sku_id": random.choice(SKU_IDS), "quantity": 1}],
                  "address_id": self.address_id})
        if response.status_code != 201:
            return
        number = response.json()["number"]
        cashier = self.client.post(f"/api/v1/orders/{number}/pay/", headers=self.auth,
                                   name="api: open cashier")
        if cashier.status_code != 200:
            return
        url = cashier.json()["cashier_url"]
        page = self.client.get(url, name="sandbox: cashier page")
        token = CSRF.search(page.text)
        # The shopper pays at the provider; its notice reaches /pay/notify/ from the worker.
        self.client.post(url.rstrip("/") + "/pay/", headers={"Referer": url}, name="sandbox: pay",
                         data={"csrfmiddlewaretoken": token.group(1) if token else ""}, allow_redirects=False)

    @task(3)
    def orders(self) -> None:
        self.client.get("/api/v1/orders/", headers=self.auth, name="api: my orders")

    @task(5)
    def floor(self) -> None:
        self.client.get("/healthz", name="floor: /healthz")


class Visitor(HttpUser):
    """Someone who opened a reseller's link and signs up with the invite code."""

    weight = 1
    wait_time = between(2.0, 5.0)

    @task
    def sign_up(self) -> None:
        reseller = _next(RESELLERS)
        phone = f"17{secrets.randbelow(10**9):09d}"
        self.client.get(f"/s/{reseller['invite_code']}", name="page: share link")
        self.client.post("/api/v1/auth/signup/", json={
            "phone": phone, "password": DATA["password"], "code": "", "nickname": "压测",
            "invite_code": reseller["invite_code"]}, name="api: sign up with invite code")


class Reseller(HttpUser):
    """A reseller checking the centre and earnings, now and then withdrawing ¥10 (the minimum)."""

    weight = 1
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        self.account = _next(RESELLERS)
        response = self.client.post("/api/v1/auth/signin/", json={"phone": self.account["phone"],
                                                                   "password": DATA["password"]},
                                    name="api: sign in")
        self.auth = {"Authorization": f"Token {response.json()['token']}"}
        page = self.client.get("/signin/", name="auth: sign in (H5)")
        token = CSRF.search(page.text)
        self.client.post("/signin/", data={"phone": self.account["phone"], "password": DATA["password"],
                                           "csrfmiddlewaretoken": token.group(1) if token else ""},
                         headers={"Referer": f"{self.host}/signin/"}, name="auth: sign in (H5)",
                         allow_redirects=False)

    @task(4)
    def centre(self) -> None:
        self.client.get("/distribution/", name="page: reseller centre")

    @task(4)
    def earnings(self) -> None:
        self.client.get("/api/v1/earnings/overview/", headers=self.auth, name="api: earnings overview")

    @task(2)
    def team(self) -> None:
        self.client.get("/api/v1/distribution/team/", headers=self.auth, name="api: team")

    @task(1)
    def withdraw(self) -> None:
        with self.client.post("/api/v1/earnings/withdrawals/", json={
                "amount": "10.00", "payout_account_id": self.account["payout_account_id"],
                "idempotency_key": f"load-{secrets.token_hex(8)}"}, headers=self.auth, name="api: withdraw",
                catch_response=True) as response:
            # The rules' daily limits refuse a busy reseller with a clear 4xx: a right answer.
            code = response.json().get("code", "") if response.status_code in (400, 409, 429) else ""
            if response.status_code == 201 or code in EXPECTED_REFUSALS:
                response.success()
