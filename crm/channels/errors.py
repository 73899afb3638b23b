class ChannelError(Exception):
    """The provider refused the message; ``consent_revoked`` when it says the member opted out."""

    def __init__(self, detail: str, *, consent_revoked: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.consent_revoked = consent_revoked
