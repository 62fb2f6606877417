"""The PyJWT codec: a pinned algorithm, every claim required, anything else refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from budget.adapters.tokens import JwtTokenCodec
from budget.domain.errors import AuthenticationError
from budget.domain.model.auth import TokenClaims, TokenType
from budget.domain.model.ids import UserId

SECRET = "unit-test-secret-that-is-long-enough-for-hs256-and-hs512-0123456789"
ISSUER = "budget"
AUDIENCE = "budget-api"
USER = UserId(UUID("01900000-0000-7000-8000-000000000001"))
TOKEN_ID = UUID("01900000-0000-7000-8000-0000000000aa")


def _codec(
    secret: str = SECRET, *, issuer: str = ISSUER, audience: str = AUDIENCE
) -> JwtTokenCodec:
    return JwtTokenCodec(
        algorithm="HS256",
        signing_key=secret,
        verifying_key=secret,
        issuer=issuer,
        audience=audience,
    )


def _claims(
    token_type: TokenType = TokenType.ACCESS,
    *,
    issued: timedelta = timedelta(seconds=-10),
    lifetime: timedelta = timedelta(minutes=15),
) -> TokenClaims:
    # PyJWT checks times against the real clock, so the claims are relative to now.
    issued_at = datetime.now(UTC).replace(microsecond=0) + issued
    return TokenClaims(USER, token_type, TOKEN_ID, issued_at, issued_at + lifetime)


def _b64(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _payload(**overrides: object) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    payload: dict[str, object] = {
        "sub": str(USER),
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": str(TOKEN_ID),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "typ": "access",
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def _refused(token: str, expected: TokenType = TokenType.ACCESS) -> AuthenticationError:
    with pytest.raises(AuthenticationError) as caught:
        _codec().decode(token, expected)
    return caught.value


@pytest.mark.parametrize("token_type", list(TokenType))
def test_a_token_decodes_to_the_claims_it_was_made_from(token_type: TokenType) -> None:
    claims = _claims(token_type)

    decoded = _codec().decode(_codec().encode(claims), token_type)

    assert decoded == claims


def test_the_token_carries_every_contract_claim() -> None:
    token = _codec().encode(_claims())

    payload = jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE)

    assert set(payload) == {"sub", "iat", "nbf", "exp", "jti", "iss", "aud", "typ"}
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_a_token_with_a_tampered_signature_is_refused() -> None:
    header, payload, signature = _codec().encode(_claims()).split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    tampered = signature[:middle] + flipped + signature[middle + 1 :]

    _refused(f"{header}.{payload}.{tampered}")


def test_a_token_with_a_tampered_payload_is_refused() -> None:
    header, _, signature = _codec().encode(_claims()).split(".")
    forged = _b64(_payload(sub=str(UUID(int=2))))

    _refused(f"{header}.{forged}.{signature}")


def test_an_expired_token_is_refused() -> None:
    token = _codec().encode(_claims(issued=timedelta(hours=-2), lifetime=timedelta(hours=1)))

    assert "expired" in str(_refused(token))


def test_a_token_that_is_not_valid_yet_is_refused() -> None:
    _refused(_codec().encode(_claims(issued=timedelta(hours=1))))


class FakeClock:
    """Seconds since the epoch, starting at the real time, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).timestamp()

    def __call__(self) -> float:
        return self.now


def _clocked_codec(clock: FakeClock) -> JwtTokenCodec:
    return JwtTokenCodec(
        algorithm="HS256",
        signing_key=SECRET,
        verifying_key=SECRET,
        issuer=ISSUER,
        audience=AUDIENCE,
        clock=clock,
    )


def test_a_token_decoded_again_gives_the_same_claims() -> None:
    codec = _codec()
    token = codec.encode(_claims())

    first = codec.decode(token, TokenType.ACCESS)

    assert codec.decode(token, TokenType.ACCESS) == first


def _remembered(clock: FakeClock) -> tuple[JwtTokenCodec, str, TokenClaims]:
    """A codec on ``clock`` that has decoded (and so remembers) a fresh access token."""
    codec = _clocked_codec(clock)
    claims = _claims(lifetime=timedelta(minutes=15))
    token = codec.encode(claims)
    codec.decode(token, TokenType.ACCESS)
    return codec, token, claims


def test_a_token_decoded_before_is_refused_once_it_has_expired() -> None:
    clock = FakeClock()
    codec, token, claims = _remembered(clock)

    clock.now = claims.expires_at.timestamp()

    with pytest.raises(AuthenticationError, match="expired"):
        codec.decode(token, TokenType.ACCESS)


def test_a_token_decoded_before_is_accepted_until_its_last_second() -> None:
    clock = FakeClock()
    codec, token, claims = _remembered(clock)

    clock.now = claims.expires_at.timestamp() - 1

    assert codec.decode(token, TokenType.ACCESS) == claims


def test_an_access_token_decoded_before_is_still_refused_as_a_refresh_token() -> None:
    codec = _codec()
    token = codec.encode(_claims(TokenType.ACCESS))
    codec.decode(token, TokenType.ACCESS)

    with pytest.raises(AuthenticationError, match="refresh"):
        codec.decode(token, TokenType.REFRESH)


def test_an_alg_none_token_is_refused() -> None:
    header = _b64({"alg": "none", "typ": "JWT"})

    _refused(f"{header}.{_b64(_payload())}.")


def test_an_alg_none_token_with_a_copied_signature_is_refused() -> None:
    signature = _codec().encode(_claims()).split(".")[2]
    header = _b64({"alg": "none", "typ": "JWT"})

    _refused(f"{header}.{_b64(_payload())}.{signature}")


def test_a_token_signed_with_another_algorithm_and_the_same_secret_is_refused() -> None:
    token = jwt.encode(_payload(), SECRET, algorithm="HS512")

    _refused(token)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    other = _codec("another-secret-that-is-also-long-enough-987654")

    _refused(other.encode(_claims()))


def test_a_refresh_token_is_refused_where_an_access_token_is_expected() -> None:
    token = _codec().encode(_claims(TokenType.REFRESH))

    _refused(token, TokenType.ACCESS)


def test_an_access_token_is_refused_where_a_refresh_token_is_expected() -> None:
    token = _codec().encode(_claims(TokenType.ACCESS))

    _refused(token, TokenType.REFRESH)


def test_a_token_for_another_audience_is_refused() -> None:
    _refused(_codec(audience="someone-else").encode(_claims()))


def test_a_token_from_another_issuer_is_refused() -> None:
    _refused(_codec(issuer="someone-else").encode(_claims()))


@pytest.mark.parametrize("claim", ["sub", "iat", "nbf", "exp", "jti", "iss", "aud", "typ"])
def test_a_token_missing_a_claim_is_refused(claim: str) -> None:
    token = jwt.encode({k: v for k, v in _payload().items() if k != claim}, SECRET, "HS256")

    _refused(token)


@pytest.mark.parametrize(
    ("claim", "value"), [("sub", "not-a-uuid"), ("jti", "42"), ("typ", "admin")]
)
def test_a_token_with_a_malformed_claim_is_refused(claim: str, value: str) -> None:
    token = jwt.encode(_payload(**{claim: value}), SECRET, "HS256")

    _refused(token)


@pytest.mark.parametrize("token", ["", "garbage", "a.b", "a.b.c", "Bearer x.y.z"])
def test_garbage_is_refused(token: str) -> None:
    _refused(token)


def test_an_hs256_secret_shorter_than_32_bytes_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        _codec("s" * 31)


def test_an_hs256_secret_of_exactly_32_bytes_is_accepted() -> None:
    codec = _codec("s" * 32)

    assert codec.decode(codec.encode(_claims()), TokenType.ACCESS).subject == USER


# --- key pairs -----------------------------------------------------------------------------


def _key_files(tmp_path: Path, algorithm: str, name: str = "key") -> tuple[str, str]:
    private_key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
    if algorithm == "RS256":
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        private_key = ed25519.Ed25519PrivateKey.generate()
    private_file = tmp_path / f"{name}.pem"
    public_file = tmp_path / f"{name}.pub.pem"
    private_file.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public_file.write_bytes(
        private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return str(private_file), str(public_file)


def _pair_codec(algorithm: str, files: tuple[str, str]) -> JwtTokenCodec:
    return JwtTokenCodec.from_key_files(
        algorithm=algorithm,
        private_key_file=files[0],
        public_key_file=files[1],
        issuer=ISSUER,
        audience=AUDIENCE,
    )


@pytest.mark.parametrize("algorithm", ["RS256", "EdDSA"])
def test_a_key_pair_codec_round_trips(tmp_path: Path, algorithm: str) -> None:
    codec = _pair_codec(algorithm, _key_files(tmp_path, algorithm))
    claims = _claims()

    token = codec.encode(claims)

    assert jwt.get_unverified_header(token)["alg"] == algorithm
    assert codec.decode(token, TokenType.ACCESS) == claims


@pytest.mark.parametrize("algorithm", ["RS256", "EdDSA"])
def test_a_key_pair_codec_refuses_a_token_signed_by_another_key(
    tmp_path: Path, algorithm: str
) -> None:
    ours = _pair_codec(algorithm, _key_files(tmp_path, algorithm, "ours"))
    theirs = _pair_codec(algorithm, _key_files(tmp_path, algorithm, "theirs"))

    with pytest.raises(AuthenticationError):
        ours.decode(theirs.encode(_claims()), TokenType.ACCESS)


@pytest.mark.parametrize("algorithm", ["RS256", "EdDSA"])
def test_a_key_pair_codec_refuses_an_hs256_token_keyed_with_its_public_key(
    tmp_path: Path, algorithm: str
) -> None:
    files = _key_files(tmp_path, algorithm)
    public_pem = Path(files[1]).read_bytes()
    # Algorithm confusion: HMAC keyed with the (public) verification key.
    header = _b64({"alg": "HS256", "typ": "JWT"})
    body = _b64(_payload())
    mac = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    with pytest.raises(AuthenticationError):
        _pair_codec(algorithm, files).decode(f"{header}.{body}.{signature}", TokenType.ACCESS)


def test_an_rs256_codec_refuses_an_eddsa_token(tmp_path: Path) -> None:
    rs256 = _pair_codec("RS256", _key_files(tmp_path, "RS256", "rsa"))
    eddsa = _pair_codec("EdDSA", _key_files(tmp_path, "EdDSA", "ed"))

    with pytest.raises(AuthenticationError):
        rs256.decode(eddsa.encode(_claims()), TokenType.ACCESS)
