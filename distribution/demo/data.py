"""What the demo history contains: one story per order, told over the last 60 days.

Buyers are the shopper and the twelve members of ``seed_distribution_demo``; who earns on a
story follows from the referral tree and the levels (小雨 金牌 15 % / 8 %, 阿杰 银牌, Lily
普通): e.g. 甜甜 buys → 小林 earns tier 1 and 小雨 tier 2; 小鹿 buys → her upline 陈姐 is not a
reseller, so only 小雨 earns (tier 2).
"""

from dataclasses import dataclass
from enum import StrEnum

from mall.demo import data as mall_data

MARKER = "demo-history-"  # client-token prefix of every demo-history order: the seed's marker
XIAOYU, AJIE, LILY = (seed.phone for seed in mall_data.RESELLERS[:3])
SHOPPER = mall_data.SHOPPER.phone


class Until(StrEnum):
    """How far a story's order gets through the services."""

    UNPAID = "unpaid"  # placed just now: waits for payment (the sweep cancels it after 30 min)
    EXPIRED = "expired"  # never paid: cancelled by the unpaid-order sweep
    PAID = "paid"
    SHIPPED = "shipped"
    RECEIVED = "received"  # after-sales window still open: commission pending
    COMPLETED = "completed"  # window closed by the sweep, commission settled


class AfterSaleStory(StrEnum):
    # At most one refund per item: on SQLite a second refund of the same item currently hits
    # a float-arithmetic bug in the money columns (being fixed by moving them to integer fen).
    NONE = ""
    PARTIAL_REFUND = "partial_refund"  # one unit of the first item, refunded through the gateway
    FULL_REFUND = "full_refund"  # every unit, before shipping: the order is cancelled
    OPEN = "open"  # a refund request waiting for staff: holds the window open


@dataclass(frozen=True)
class Story:
    key: str  # the order's client token is MARKER + key
    days_ago: int  # 0: today, a little before the seed ran
    hour: int  # local hour the order was placed
    buyer: str  # phone
    shop_owner: str  # phone of the reseller whose shop the order came through
    picks: tuple[tuple[int, int], ...]  # (index among the shop's in-stock SKUs, quantity)
    until: Until
    aftersale: AfterSaleStory = AfterSaleStory.NONE

    @property
    def client_token(self) -> str:
        return MARKER + self.key


U, A = Until, AfterSaleStory
STORIES = (
    Story("01", 58, 10, SHOPPER, XIAOYU, ((0, 2),), U.COMPLETED),
    Story("02", 55, 21, "13700000002", XIAOYU, ((1, 1), (2, 2)), U.COMPLETED),
    Story("03", 51, 14, "13700000007", XIAOYU, ((3, 2),), U.COMPLETED),
    Story("04", 47, 20, "13700000003", XIAOYU, ((4, 3),), U.COMPLETED, A.PARTIAL_REFUND),
    Story("05", 44, 12, "13700000010", AJIE, ((0, 1),), U.COMPLETED),
    Story("06", 40, 9, "13700000004", XIAOYU, ((5, 2),), U.COMPLETED),
    Story("07", 36, 22, "13700000005", XIAOYU, ((6, 1), (0, 1)), U.COMPLETED),
    Story("08", 33, 13, "13700000009", XIAOYU, ((2, 2),), U.COMPLETED),
    Story("09", 30, 19, "13700000012", LILY, ((0, 2),), U.COMPLETED),
    Story("10", 27, 11, "13700000006", XIAOYU, ((7, 2),), U.COMPLETED),
    Story("11", 26, 23, "13700000004", XIAOYU, ((1, 1),), U.EXPIRED),
    Story("12", 24, 15, SHOPPER, XIAOYU, ((8, 1),), U.PAID, A.FULL_REFUND),
    Story("13", 20, 20, "13700000008", XIAOYU, ((3, 1),), U.COMPLETED),
    Story("14", 17, 10, "13700000011", AJIE, ((1, 2),), U.COMPLETED),
    Story("15", 14, 21, "13700000002", XIAOYU, ((4, 2),), U.COMPLETED),
    Story("16", 9, 12, "13700000003", XIAOYU, ((0, 1),), U.RECEIVED),
    Story("17", 8, 20, "13700000005", XIAOYU, ((5, 1),), U.RECEIVED, A.OPEN),
    Story("18", 6, 9, SHOPPER, XIAOYU, ((6, 2),), U.RECEIVED, A.PARTIAL_REFUND),
    Story("19", 4, 16, "13700000004", XIAOYU, ((7, 1),), U.SHIPPED),
    Story("20", 2, 21, "13700000007", XIAOYU, ((2, 1),), U.SHIPPED),
    Story("21", 1, 11, "13700000006", XIAOYU, ((8, 2),), U.PAID),
    Story("22", 0, 0, "13700000002", XIAOYU, ((5, 1),), U.PAID),
    Story("23", 0, 0, "13700000003", XIAOYU, ((1, 1),), U.UNPAID),
)

# Withdrawals of 小雨: one paid out (requested, approved by the superuser, payout recorded by
# finance — two people), one waiting for review. (days ago, local hour) of each step.
PAID_WITHDRAWAL = {"key": "demo-history-w1", "requested": (22, 10), "reviewed": (21, 16), "paid": (20, 11)}
WAITING_WITHDRAWAL = {"key": "demo-history-w2", "requested": (1, 20)}
PAYOUT_ACCOUNT = {"channel": "bank", "holder_name": "林小雨", "bank_name": "招商银行",
                  "account": "6214830112345672", "added": (23, 18)}

# A second staff account: it records payouts, so the superuser's approval and the payout are
# made by two different people (maker-checker).
FINANCE_PHONE = "13800000009"
FINANCE_NICKNAME = "财务小周"
FINANCE_PASSWORD = "finance123"  # noqa: S105 - published demo login, never used outside the demo
FINANCE_PERMISSIONS = ("pay_withdrawal", "view_withdrawal", "view_wallet", "view_ledgerentry",
                       "view_payoutaccount", "view_commissionrecord")

ADDRESSES = (
    ("浙江省", "杭州市", "西湖区", "文三路 90 号 3 幢 501"),
    ("上海市", "上海市", "浦东新区", "张杨路 1500 弄 12 号 1102"),
    ("广东省", "深圳市", "南山区", "科技园南区 8 栋 602"),
    ("江苏省", "苏州市", "姑苏区", "人民路 328 号 16 幢 201"),
)
