"""Identity providers the suite runs on localhost for single sign-on.

- OpenID Connect: `oidc-provider` from the npm registry (tests/idp), a certified provider, run with Node.
- A tampering proxy in front of its token endpoint, holding the provider's own signing key, so a test can
  hand allauth an ID token with a broken signature, another audience or an expiry in the past.
- SAML 2.0: an identity provider that signs its assertions with xmlsec (through python3-saml's helpers)
  and posts them to the service provider's assertion consumer, as a real one does.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
import zlib
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

IDP_DIR = Path(__file__).resolve().parent / "idp"
CLIENT_ID, CLIENT_SECRET = "ifarm-test", "a-long-test-secret-for-the-local-provider"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _node_modules() -> None:
    if not (IDP_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=IDP_DIR, check=True, timeout=300)


@contextmanager
def oidc_provider(redirect_uris: list[str], tmp_path: Path):
    """Start the OpenID provider; yields (issuer, private key, key id)."""
    if shutil.which("node") is None:
        raise RuntimeError("Node.js is needed for the local OpenID provider")
    _node_modules()
    key, kid = signing_key(), uuid.uuid4().hex[:12]
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key)) | {"kid": kid, "alg": "RS256", "use": "sig"}
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": [jwk]}))
    port = free_port()
    env = os.environ | {"PORT": str(port), "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
                        "REDIRECT_URIS": ",".join(redirect_uris), "JWKS_FILE": str(jwks_file)}
    process = subprocess.Popen(["node", str(IDP_DIR / "oidc.mjs")], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    issuer = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.RequestException:
                if process.poll() is not None:
                    raise RuntimeError(f"the OpenID provider stopped: {process.stdout.read()}") from None
                time.sleep(0.2)
        else:
            raise RuntimeError("the OpenID provider did not start")
        yield issuer, key, kid
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def serve(handler_class):
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler_class)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def tampering_token_proxy(token_endpoint: str, key, kid: str, mode: str):
    """A token endpoint that asks the real one, then spoils the ID token as `mode` says."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = requests.post(token_endpoint, data=body, timeout=10,
                                   headers={"Content-Type": self.headers.get("Content-Type", "")})
            payload = answer.json()
            if "id_token" in payload:
                payload["id_token"] = spoil(payload["id_token"], key, kid, mode)
            data = json.dumps(payload).encode()
            self.send_response(answer.status_code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    with serve(Handler) as url:
        yield url + "/token"


def spoil(id_token: str, key, kid: str, mode: str) -> str:
    if mode == "bad-signature":
        head, claims, signature = id_token.split(".")
        flipped = ("A" if signature[5] != "A" else "B")
        return ".".join([head, claims, signature[:5] + flipped + signature[6:]])
    claims = jwt.decode(id_token, options={"verify_signature": False})
    if mode == "wrong-audience":
        claims["aud"] = "some-other-application"
    elif mode == "expired":
        claims["iat"], claims["exp"] = int(time.time()) - 7200, int(time.time()) - 3600
    else:
        raise ValueError(mode)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


# SAML ---------------------------------------------------------------------------------------------


def self_signed_certificate(key) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test identity provider")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def saml_response(*, key, certificate: str, issuer: str, acs_url: str, audience: str, in_response_to: str, email: str,
                  mode: str = "good") -> str:
    """A signed SAML response for `email`, spoiled as `mode` says; base64 as the form posts it."""
    from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
    from onelogin.saml2.utils import OneLogin_Saml2_Utils

    now = dt.datetime.now(dt.UTC)
    until = now - dt.timedelta(minutes=10) if mode == "expired" else now + dt.timedelta(minutes=5)
    before = now - dt.timedelta(minutes=20) if mode == "expired" else now - dt.timedelta(minutes=1)
    if mode == "wrong-audience":
        audience = "https://some-other-service.example/metadata/"
    response_id, assertion_id = f"_{uuid.uuid4().hex}", f"_{uuid.uuid4().hex}"
    assertion = f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="{assertion_id}" Version="2.0" IssueInstant="{_stamp(before)}"><saml:Issuer>{issuer}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{email}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{_stamp(until)}" Recipient="{acs_url}" InResponseTo="{in_response_to}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{_stamp(before)}" NotOnOrAfter="{_stamp(until)}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{_stamp(before)}" SessionNotOnOrAfter="{_stamp(now + dt.timedelta(hours=8))}" SessionIndex="{assertion_id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml:AttributeValue xsi:type="xs:string">{email}</saml:AttributeValue></saml:Attribute><saml:Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml:AttributeValue xsi:type="xs:string">Ann</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>"""
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    signed = OneLogin_Saml2_Utils.add_sign(assertion, private_pem, certificate, sign_algorithm=C.RSA_SHA256,
                                           digest_algorithm=C.SHA256)
    signed = signed.decode() if isinstance(signed, bytes) else signed
    signed = signed.split("?>", 1)[-1] if signed.startswith("<?xml") else signed
    if mode == "tampered":
        signed = signed.replace(email, "boss@" + email.split("@", 1)[1])
    response = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{response_id}" Version="2.0" IssueInstant="{_stamp(now)}" Destination="{acs_url}" InResponseTo="{in_response_to}"><saml:Issuer>{issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{signed}</samlp:Response>"""
    return base64.b64encode(response.encode()).decode()


@contextmanager
def saml_identity_provider(*, email: str, mode: str = "good"):
    """A SAML identity provider: its sign-on page shows who signs in and posts the signed answer back.

    Yields (entity id, sign-on URL, certificate PEM).
    """
    key = signing_key()
    certificate = self_signed_certificate(key)
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            query = parse_qs(urlsplit(self.path).query)
            request_xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15).decode()
            from lxml import etree

            root = etree.fromstring(request_xml.encode())
            acs_url = root.get("AssertionConsumerServiceURL")
            audience = root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer").text
            answer = saml_response(key=key, certificate=certificate, issuer=state["entity_id"], acs_url=acs_url,
                                   audience=audience, in_response_to=root.get("ID"), email=email, mode=mode)
            relay = query.get("RelayState", [""])[0]
            page = (f"<!doctype html><html lang='en'><title>Test identity provider</title><h1>Test identity provider</h1>"
                    f"<form method='post' action='{acs_url}'><input type='hidden' name='SAMLResponse' value='{answer}'>"
                    f"<input type='hidden' name='RelayState' value='{relay}'>"
                    f"<button type='submit'>Continue as {email}</button></form></html>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    with serve(Handler) as url:
        state["entity_id"] = f"{url}/metadata"
        yield state["entity_id"], f"{url}/sso", certificate
