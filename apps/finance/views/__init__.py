"""Money pages: expenses and approvals, contacts and sales, invoices and payments, reports."""
