"""The orders part of ``/api/v1/``, one module per area: ``cart``, ``addresses``, ``orders``
(checkout and orders), ``aftersales``; ``base`` holds the tags, the shared error answers and
``MemberView``.

Views only orchestrate: an input serializer checks the shape, a selector reads (always
filtered by the signed-in member, so another member's order, address or after-sale is a
404, I7), a service writes, an output serializer shapes the answer. Domain errors become
``{"code", "detail"}`` in ``common.api.exception_handler``.
"""
