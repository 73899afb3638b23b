"""Orders: cart, checkout, payments, fulfilment and after-sales. Lands with the orders issue."""
