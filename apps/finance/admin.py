"""Money in the admin: for platform staff to look, not to change.

Every change to money goes through the services (approvals, gapless numbers, the audit chain), so
these pages are read-only; a mistake is put right by the organisation, with a credit note or a void.
"""

from django.contrib import admin

from .models import Contact, Expense, ExpenseCategory, ExpenseTransition, Invoice, InvoiceLine, Payment, ReportJob, Sale


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExpenseCategory)
class ExpenseCategoryAdmin(ReadOnlyAdmin):
    list_display = ["name", "key", "is_builtin", "tenant"]
    list_select_related = ["tenant"]
    search_fields = ["name", "tenant__name"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "phone", "email", "tenant"]
    list_filter = ["kind"]
    list_select_related = ["tenant"]
    search_fields = ["name", "email", "tenant__name"]


class TransitionInline(ReadOnlyInline):
    model = ExpenseTransition
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyAdmin):
    list_display = ["date", "description", "amount", "status", "farm", "category", "tenant"]
    list_filter = ["status", "date"]
    list_select_related = ["farm", "category", "tenant"]
    search_fields = ["description", "supplier_name", "tenant__name"]
    date_hierarchy = "date"
    inlines = [TransitionInline]


class LineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["description", "quantity", "unit", "unit_price", "tax_rate"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["date", "amount", "method", "reference"]
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "status", "contact", "farm", "issue_date", "total", "paid_total", "pdf_status", "tenant"]
    list_filter = ["kind", "status", "pdf_status"]
    list_select_related = ["contact", "farm", "tenant"]
    search_fields = ["number", "contact__name", "tenant__name"]
    inlines = [LineInline, PaymentInline]


@admin.register(Sale)
class SaleAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "buyer", "total", "farm", "voided_at", "tenant"]
    list_filter = ["kind", "date"]
    list_select_related = ["buyer", "farm", "tenant", "animal"]
    search_fields = ["product", "buyer__name", "animal__tag", "tenant__name"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["date", "amount", "method", "reference", "invoice", "tenant"]
    list_filter = ["method"]
    list_select_related = ["invoice", "tenant"]
    search_fields = ["reference", "invoice__number", "tenant__name"]


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ["kind", "file_format", "status", "progress", "tenant"]
    list_filter = ["status", "kind"]
    list_select_related = ["tenant"]
