from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel, TimeStamped, loaded, tenant_upload_path

# Stored in English; shown in the reader's language until the organisation renames one (ExpenseCategory.label).
BUILTIN_CATEGORIES = [
    ("feed", gettext_noop("Feed")), ("veterinary", gettext_noop("Veterinary")), ("labour", gettext_noop("Labour")),
    ("fuel", gettext_noop("Fuel")), ("repairs", gettext_noop("Repairs")), ("utilities", gettext_noop("Utilities")),
    ("equipment", gettext_noop("Equipment")), ("transport", gettext_noop("Transport")), ("other", gettext_noop("Other")),
]
_BUILTIN_NAMES = dict(BUILTIN_CATEGORIES)


class ExpenseCategory(TenantModel):
    key = models.SlugField(verbose_name=_("key"), max_length=40, db_index=False)
    name = models.CharField(verbose_name=_("name"), max_length=60)
    is_builtin = models.BooleanField(verbose_name=_("is builtin"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="expcat_tenant_key_uniq")]
        ordering = ["-is_builtin", "name"]
        verbose_name_plural = _("expense categories")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.is_builtin and _BUILTIN_NAMES.get(self.key) == self.name:
            return gettext(self.name)
        return self.name


class Contact(TenantModel, TimeStamped):
    """A customer or supplier of the organisation."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        SUPPLIER = "supplier", _("Supplier")
        BOTH = "both", _("Customer and supplier")

    kind = models.CharField(verbose_name=_("kind"), max_length=8, choices=Kind.choices, default=Kind.CUSTOMER)
    name = models.CharField(verbose_name=_("name"), max_length=120)
    contact_person = models.CharField(verbose_name=_("contact person"), max_length=120, blank=True)
    phone = models.CharField(verbose_name=_("phone"), max_length=32, blank=True)
    email = models.EmailField(verbose_name=_("email"), blank=True)
    address = models.CharField(verbose_name=_("address"), max_length=250, blank=True)
    tax_number = models.CharField(verbose_name=_("tax number"), max_length=40, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="contact_tenant_name_uniq")]
        ordering = ["name"]

    def __str__(self):
        return self.name


class Expense(TenantModel, TimeStamped):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(verbose_name=_("date"))
    category = models.ForeignKey(ExpenseCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="expenses")
    amount = models.DecimalField(verbose_name=_("amount"), max_digits=12, decimal_places=2)
    supplier = models.ForeignKey(Contact, verbose_name=_("supplier"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    supplier_name = models.CharField(verbose_name=_("supplier name"), max_length=120, blank=True)
    description = models.CharField(verbose_name=_("description"), max_length=250)
    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    receipt = models.FileField(verbose_name=_("receipt"), upload_to=tenant_upload_path("receipts"), blank=True)
    # A small JPEG of a photo receipt for the approval queue (phones on mobile data).
    receipt_thumb = models.ImageField(verbose_name=_("receipt thumb"), upload_to=tenant_upload_path("receipts"), blank=True)
    status = models.CharField(verbose_name=_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey("accounts.Membership", verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey("accounts.Membership", verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(verbose_name=_("decided at"), null=True, blank=True)
    rejection_reason = models.CharField(verbose_name=_("rejection reason"), max_length=250, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "status", "date"], name="expense_tenant_status_idx"),
            models.Index(fields=["tenant", "farm", "date"], name="expense_tenant_farm_date_idx"),
        ]
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.description} ({self.amount:,.2f})"


class ExpenseTransition(TenantModel):
    expense = models.ForeignKey(Expense, verbose_name=_("expense"), on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(verbose_name=_("from status"), max_length=8, blank=True)
    to_status = models.CharField(verbose_name=_("to status"), max_length=8)
    by = models.ForeignKey("accounts.Membership", verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(verbose_name=_("at"), auto_now_add=True)
    note = models.CharField(verbose_name=_("note"), max_length=250, blank=True)

    class Meta:
        ordering = ["at", "id"]


class Invoice(TenantModel, TimeStamped):
    class Kind(models.TextChoices):
        SALES = "sales", _("Sales invoice")
        PURCHASE = "purchase", _("Purchase invoice")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")

    class Pdf(models.TextChoices):
        NONE = "", _("Not made")
        PREPARING = "preparing", _("Preparing")
        READY = "ready", _("Ready")

    kind = models.CharField(verbose_name=_("kind"), max_length=8, choices=Kind.choices, default=Kind.SALES)
    number = models.CharField(verbose_name=_("number"), max_length=30, blank=True)
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="invoices")
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    issue_date = models.DateField(verbose_name=_("issue date"), null=True, blank=True)
    due_date = models.DateField(verbose_name=_("due date"), null=True, blank=True)
    status = models.CharField(verbose_name=_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(verbose_name=_("currency"), max_length=3)
    subtotal = models.DecimalField(verbose_name=_("subtotal"), max_digits=14, decimal_places=2, default=Decimal("0"))
    tax_total = models.DecimalField(verbose_name=_("tax total"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(verbose_name=_("total"), max_digits=14, decimal_places=2, default=Decimal("0"))
    paid_total = models.DecimalField(verbose_name=_("paid total"), max_digits=14, decimal_places=2, default=Decimal("0"))
    notes = models.CharField(verbose_name=_("notes"), max_length=500, blank=True)
    credit_note_for = models.ForeignKey("self", verbose_name=_("credit note for"), on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes")
    pdf = models.FileField(verbose_name=_("pdf"), upload_to="invoices/", blank=True)
    pdf_status = models.CharField(verbose_name=_("pdf status"), max_length=10, choices=Pdf.choices, blank=True, default="")
    created_by = models.ForeignKey("accounts.Membership", verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kind", "number"], condition=~Q(number=""), name="invoice_tenant_number_uniq"),
        ]
        indexes = [models.Index(fields=["tenant", "kind", "status"], name="invoice_tenant_status_idx")]
        ordering = ["-issue_date", "-id"]

    def __str__(self):
        if self.number:
            return self.number
        contact = loaded(self, "contact")
        return f"draft for {contact.name}" if contact else f"draft {self.pk}"

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid_total

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class InvoiceLine(TenantModel):
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(verbose_name=_("description"), max_length=200)
    quantity = models.DecimalField(verbose_name=_("quantity"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0"))])
    unit = models.CharField(verbose_name=_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(verbose_name=_("unit price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    tax_rate = models.DecimalField(verbose_name=_("tax rate"), max_digits=5, decimal_places=2, default=Decimal("0"),
                                   validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    position = models.PositiveSmallIntegerField(verbose_name=_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]

    @property
    def net(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))

    @property
    def tax(self) -> Decimal:
        return (self.net * self.tax_rate / 100).quantize(Decimal("0.01"))


class InvoiceSequence(TenantModel):
    """The last number given per tenant, kind and year: numbers come out in order, without gaps."""

    kind = models.CharField(verbose_name=_("kind"), max_length=8)
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    last_number = models.PositiveIntegerField(verbose_name=_("last number"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "kind", "year"], name="invseq_tenant_kind_year_uniq")]


class Sale(TenantModel, TimeStamped):
    class Kind(models.TextChoices):
        ANIMAL = "animal", _("Animal")
        MILK = "milk", _("Milk")
        OTHER = "other", _("Other produce")

    kind = models.CharField(verbose_name=_("kind"), max_length=6, choices=Kind.choices)
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(verbose_name=_("date"))
    buyer = models.ForeignKey(Contact, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="purchases")
    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    live_weight = models.DecimalField(_("live weight (kg)"), max_digits=7, decimal_places=1, null=True, blank=True)
    product = models.CharField(verbose_name=_("product"), max_length=120, blank=True)
    quantity = models.DecimalField(verbose_name=_("quantity"), max_digits=12, decimal_places=3, default=Decimal("1"))
    unit = models.CharField(verbose_name=_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(verbose_name=_("unit price"), max_digits=12, decimal_places=2)
    total = models.DecimalField(verbose_name=_("total"), max_digits=14, decimal_places=2)
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.SET_NULL, null=True, blank=True, related_name="sales")
    voided_at = models.DateTimeField(verbose_name=_("voided at"), null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(verbose_name=_("purpose"), max_length=10, choices=[("slaughter", "For slaughter"), ("alive", "Alive, for breeding or rearing")],
                               blank=True, help_text=_("For an animal sale."))
    # An animal under meat withdrawal may leave alive only when the seller confirms the buyer was told.
    withdrawal_acknowledged_until = models.DateField(verbose_name=_("withdrawal acknowledged until"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "farm", "date"], name="sale_tenant_farm_date_idx")]
        ordering = ["-date", "-id"]

    def __str__(self):
        buyer = loaded(self, "buyer")
        animal = loaded(self, "animal") if self.animal_id else None
        product = self.product if self.product and self.product.lower() != self.get_kind_display().lower() else self.get_kind_display().lower()
        what = animal.tag if animal else f"{self.quantity.normalize():,f} {self.unit} of {product}"
        return f"{what} to {buyer.name if buyer else 'a buyer'}"


class Payment(TenantModel):
    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK = "bank", _("Bank transfer")
        MOBILE = "mobile", _("Mobile money")
        CARD = "card", _("Card")
        CHEQUE = "cheque", _("Cheque")

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments")
    date = models.DateField(verbose_name=_("date"))
    amount = models.DecimalField(verbose_name=_("amount"), max_digits=14, decimal_places=2)
    method = models.CharField(verbose_name=_("method"), max_length=8, choices=Method.choices)
    reference = models.CharField(verbose_name=_("reference"), max_length=80, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        invoice = loaded(self, "invoice")
        return f"{self.amount:,.2f} on {invoice.number if invoice else 'an invoice'}"


class IdempotencyKey(TenantModel):
    """One form submission: the second arrival of the same key finds the first one's result."""

    key = models.CharField(verbose_name=_("key"), max_length=64)
    action = models.CharField(verbose_name=_("action"), max_length=40)
    result = models.CharField(verbose_name=_("result"), max_length=300, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="idem_tenant_key_uniq")]


class ReportJob(TenantModel):
    """A report built in the background, with its progress and file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(verbose_name=_("kind"), max_length=20)
    file_format = models.CharField(verbose_name=_("file format"), max_length=4)
    params = models.JSONField(verbose_name=_("params"), default=dict)
    status = models.CharField(verbose_name=_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(verbose_name=_("progress"), default=0)
    file = models.FileField(verbose_name=_("file"), upload_to=tenant_upload_path("reports"), blank=True)
    error = models.CharField(verbose_name=_("error"), max_length=300, blank=True)
    requested_by = models.ForeignKey("accounts.Membership", verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
