"""The shopper's H5 pages of the orders app: cart, checkout, addresses, orders, after-sales.

Views only orchestrate: they validate the input with a form, check ownership through a
selector (another member's order, address or after-sale is a 404), call a service, and
turn its domain errors into messages or form errors.
"""
