"""What the orders API views share: OpenAPI tags, documented error answers, the member base view."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from common.api import error_response

CART, ADDRESSES, CHECKOUT, ORDERS, AFTERSALES = "cart", "addresses", "checkout", "orders", "after-sales"

ORDER_NOT_FOUND = error_response("Unknown order number, or another member's order (`order_not_found`).")
ADDRESS_NOT_FOUND = error_response("Unknown address, or another member's (`address_not_found`).")
AFTERSALE_NOT_FOUND = error_response(
    "Unknown after-sales request, or another member's (`aftersale_not_found`)."
)
SKU_NOT_FOUND = error_response("Unknown SKU (`sku_not_found`).")
STOCK_CONFLICT = error_response(
    "Not on sale any more (`product_unavailable`), or not enough stock (`insufficient_stock`)."
)
TRANSITION_CONFLICT = error_response("Not allowed in the order's current state (`order_transition_invalid`).")


class OrdersPagination(PageNumberPagination):
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 50


class MemberView(APIView):
    """A signed-in member's endpoint (401 otherwise)."""

    permission_classes = [IsAuthenticated]
