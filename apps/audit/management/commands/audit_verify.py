from django.core.management.base import BaseCommand, CommandError

from apps.audit.retention import audit_verify_tenant
from apps.core.models import tenant_model


class Command(BaseCommand):
    help = "Verify every tenant's audit hash chain and name the first broken entry."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", type=int, help="Verify only this tenant id.")

    def handle(self, *args, tenant=None, **options):
        tenant_ids = [tenant] if tenant else list(tenant_model().objects.order_by("pk").values_list("pk", flat=True))
        broken = []
        for tenant_id in tenant_ids:
            failure = audit_verify_tenant(tenant_id=tenant_id)
            if failure:
                broken.append(failure)
                self.stderr.write(
                    f"tenant {failure.tenant_id}: entry #{failure.seq} (id {failure.entry_id}) is broken: {failure.reason}"
                )
        if broken:
            raise CommandError(f"{len(broken)} of {len(tenant_ids)} audit chains are broken.")
        self.stdout.write(f"{len(tenant_ids)} audit chains verified, all intact.")
