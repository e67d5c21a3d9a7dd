#!/usr/bin/env python3
"""Generate synthetic credentials for rule examples and test fixtures.

Every value is fresh randomness in a provider's public format; none is a
real credential. Usage:

    scripts/synth.py crc PREFIX           # e.g. ghp_ / npm_: 30 random + CRC32 base62
    scripts/synth.py rand ALPHABET LEN    # alphabet: alnum, hex, HEX, b64, b64url, lower, upper, digits
    scripts/synth.py jwt                  # HS256 JWT with a JSON payload
"""
import base64
import json
import random
import secrets
import sys
import zlib

ALPHABETS = {
    "alnum": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "b64": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "b64url": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    "lower": "abcdefghijklmnopqrstuvwxyz",
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "lowernum": "abcdefghijklmnopqrstuvwxyz0123456789",
    "uppernum": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "digits": "0123456789",
}
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def rand(alphabet, n):
    chars = ALPHABETS.get(alphabet, alphabet)
    return "".join(secrets.choice(chars) for _ in range(n))


def crc_token(prefix, n=30):
    body = rand("alnum", n)
    c = zlib.crc32(body.encode())
    out = ""
    for _ in range(6):
        out = BASE62[c % 62] + out
        c //= 62
    return prefix + body + out


def jwt():
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o, separators=(",", ":")).encode()).rstrip(b"=").decode()
    header = enc({"alg": "HS256", "typ": "JWT"})
    payload = enc({"sub": rand("digits", 8), "name": "svc-" + rand("lower", 6), "iat": random.randint(1600000000, 1800000000)})
    sig = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return f"{header}.{payload}.{sig}"


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "crc":
        print(crc_token(sys.argv[2]))
    elif kind == "rand":
        print(rand(sys.argv[2], int(sys.argv[3])))
    elif kind == "jwt":
        print(jwt())
    else:
        sys.exit(__doc__)
