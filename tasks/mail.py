from django.core.mail import send_mail
from django.template.loader import render_to_string
from huey.contrib.djhuey import task


@task(retries=3, retry_delay=30)
def send_invitation_email(*, email: str, tenant_name: str, inviter: str, link: str) -> None:
    context = {"tenant_name": tenant_name, "inviter": inviter, "link": link}
    send_mail(
        subject=f"[iFarm] {inviter} invited you to {tenant_name}",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[email],
    )
