"""The test PKI on the wire: CRLs and CA certificates, as DVV publishes its own (GET /pki/...), and the chain
for trust stores (a PEM bundle, each CA as DER or PEM, an index). Public: no tenant, no credentials."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def routes(pki) -> list[Route]:
    def unknown(ca: str) -> JSONResponse:
        return JSONResponse({"detail": f"no CA {ca!r}; CAs: {', '.join(pki.cas)}"}, status_code=404)

    async def crl(request: Request) -> Response:
        try:
            return Response(pki.crl_der(request.path_params["ca"]), media_type="application/pkix-crl")
        except KeyError:
            return unknown(request.path_params["ca"])

    async def ca_certificate(request: Request) -> Response:
        try:
            return Response(pki.ca_der(request.path_params["ca"]), media_type="application/pkix-cert")
        except KeyError:
            return unknown(request.path_params["ca"])

    async def chain(request: Request) -> Response:
        return Response(pki.chain_pem(), media_type="application/x-pem-file")

    async def ca_pem(request: Request) -> Response:
        try:
            return Response(pki.ca_pem(request.path_params["ca"]), media_type="application/x-pem-file")
        except KeyError:
            return unknown(request.path_params["ca"])

    async def index(request: Request) -> JSONResponse:
        cas = {name: {"subject": ca.certificate.subject.rfc4514_string(), "der": f"/pki/ca/{name}.crt",
                      "pem": f"/pki/ca/{name}.pem", "crl": f"/pki/crl/{name}.crl",
                      "notAfter": ca.certificate.not_valid_after_utc.isoformat()}
               for name, ca in pki.cas.items()}
        return JSONResponse({"bundle": "/pki/ca.pem", "root": "root", "cas": cas,
                             "note": "MOCK-KANTA TEST CAs - trust them in test environments only"})

    return [
        Route("/pki/crl/{ca}.crl", crl, methods=["GET"]),
        Route("/pki/ca/{ca}.crt", ca_certificate, methods=["GET"]),
        Route("/pki/ca/{ca}.pem", ca_pem, methods=["GET"]),
        Route("/pki/", index, methods=["GET"]),
        Route("/pki/ca.pem", chain, methods=["GET"]),
    ]
