from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from orders.payments import crypto


class Command(BaseCommand):
    help = (
        "Generate the sandbox payment provider's RSA key pair (PEM) in PAYMENT_SANDBOX_KEY_DIR. "
        "The site verifies notices with the public one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(settings.PAYMENT_SANDBOX_KEY_DIR))
        parser.add_argument("--force", action="store_true", help="replace an existing pair")

    def handle(self, *args: object, **options: object) -> None:
        directory = Path(str(options["dir"]))
        existed = (directory / crypto.PRIVATE_KEY_FILE).exists()
        private_path, public_path = crypto.generate_key_pair(directory, overwrite=bool(options["force"]))
        serial = crypto.key_serial(crypto.load_public_key(public_path))
        verb = "kept existing" if existed and not options["force"] else "wrote"
        self.stdout.write(f"{verb} {private_path} and {public_path} (serial {serial})")
