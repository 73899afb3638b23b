from celery import shared_task

from mall.services.accounts import phone_codes_purge


@shared_task
def purge_expired_phone_codes() -> int:
    return phone_codes_purge()
