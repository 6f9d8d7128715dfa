/* b64url.c - strict base64url without padding (RFC 4648 section 5).
 * Not crypto: only the JWT segment encoding. */
#include "lktoken_internal.h"

static const char b64url_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t lktoken__b64url_encoded_len(size_t n) {
  static const size_t tail[3] = {0, 2, 3};
  return (n / 3) * 4 + tail[n % 3];
}

void lktoken__b64url_encode(const uint8_t *in, size_t n, char *out) {
  size_t i = 0;
  while (n - i >= 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    *out++ = b64url_alphabet[v >> 18];
    *out++ = b64url_alphabet[(v >> 12) & 63];
    *out++ = b64url_alphabet[(v >> 6) & 63];
    *out++ = b64url_alphabet[v & 63];
    i += 3;
  }
  if (n - i == 1) {
    uint32_t v = (uint32_t)in[i] << 16;
    *out++ = b64url_alphabet[v >> 18];
    *out++ = b64url_alphabet[(v >> 12) & 63];
  } else if (n - i == 2) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
    *out++ = b64url_alphabet[v >> 18];
    *out++ = b64url_alphabet[(v >> 12) & 63];
    *out++ = b64url_alphabet[(v >> 6) & 63];
  }
}

size_t lktoken__b64url_decoded_len(size_t n) {
  static const size_t tail[4] = {0, 0, 1, 2};
  return (n / 4) * 3 + tail[n % 4];
}

/* 0-63, or -1 for a character outside the alphabet. */
static int b64url_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

int lktoken__b64url_decode(const char *in, size_t n, uint8_t *out,
                           size_t *bad_offset) {
  if (n % 4 == 1) {
    *bad_offset = n;
    return -1;
  }
  uint32_t acc = 0;
  unsigned bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    int v = b64url_value((unsigned char)in[i]);
    if (v < 0) {
      *bad_offset = i;
      return -1;
    }
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (uint8_t)(acc >> bits);
      acc &= (1u << bits) - 1u;
    }
  }
  /* Canonical form: the 2 or 4 unused bits of the last character are 0. */
  if (acc != 0) {
    *bad_offset = n - 1;
    return -1;
  }
  return 0;
}
