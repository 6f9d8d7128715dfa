#!/usr/bin/env python3
"""tests/fuzz/seed.py OUT_DIR [GOLDEN_VECTORS [GOLDEN_JSONL]] - write seed
inputs for every fuzz target into OUT_DIR/<target>/, from the wire edge
cases (tests/interop/vectors/edge-cases.txt), the golden vectors made by
LiveKit's JS (build/golden/vectors.txt and expected.jsonl, after
`make check-golden`) and a few hand-made inputs.  The committed corpora
(tests/fuzz/corpus/) were made by `-merge=1` of these seeds with what the
fuzzers found; rerun this only to reseed."""
import hashlib, json, os, struct, sys

out = sys.argv[1]
golden = sys.argv[2] if len(sys.argv) > 2 else 'build/golden/vectors.txt'
jsonl = sys.argv[3] if len(sys.argv) > 3 else 'build/golden/expected.jsonl'
HOT = ['livekit.SignalRequest', 'livekit.SignalResponse', 'livekit.ParticipantInfo',
       'livekit.UpdateParticipantMetadata', 'livekit.JoinRequest',
       'livekit.UpdateParticipantRequest', 'livekit.CreateSIPParticipantRequest',
       'livekit.RequestResponse']

def put(target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), 'wb') as f:
        f.write(data)

vectors = []  # (type, bytes)
for path, skip in (('tests/interop/vectors/edge-cases.txt', 0), (golden, 0)):
    if not os.path.exists(path):
        continue
    for line in open(path):
        parts = line.split()
        if len(parts) != 3 or line.startswith('#'):
            continue
        try:
            vectors.append((parts[1], bytes.fromhex(parts[2])))
        except ValueError:
            pass

def varint(n):
    b = bytearray()
    while True:
        if n < 0x80:
            b.append(n); return bytes(b)
        b.append(n & 0x7f | 0x80); n >>= 7

def ld(field, data):
    return varint(field << 3 | 2) + varint(len(data)) + data

def entry(field, k, v):
    return ld(field, ld(1, k) + ld(2, v))

small = [b'', entry(15, b'k', b'v'), entry(15, b'k', b'v') + entry(15, b'k', b'w'),
         entry(15, b'', b'v'), entry(15, b'k\x00', b'v'), entry(15, b'k', b'\xc0\x80'),
         b'\x7a\xff\xff\xff\xff\x0f', b'\x78' + b'\xff' * 10 + b'\x01', b'\x0b', b'\x0f']
for t, b in vectors:
    if t == 'livekit.ParticipantInfo' or t.endswith('UpdateParticipantMetadata'):
        put('wire_reader', b)
for b in small:
    put('wire_reader', b)

infos = [b for t, b in vectors if t == 'livekit.ParticipantInfo'][:6] + [b'']
updates = {0: [b for t, b in vectors if t == 'livekit.SignalRequest'][:10],
           1: [b for t, b in vectors if t == 'livekit.UpdateParticipantMetadata'][:10],
           2: [b for t, b in vectors if t == 'livekit.UpdateParticipantRequest'][:6]}
updates[0] += [ld(15, entry(3, b'color', b'blue') + ld(4 << 0, b'') )]
for i, info in enumerate(infos):
    info = info[:4096]
    for kind, ups in updates.items():
        for j, up in enumerate(ups[:4]):
            opts = (4 | 16 | (i & 3)) & 0xff
            lim = [0, 0x40, 0x80 | j][j % 3]
            put('wire_update', bytes([opts, lim, kind]) + struct.pack('>H', len(info)) + info + up)

texts = [b'color', b'sip.phoneNumber', b'lk.agent.state', b'lk.x', b'ingress.y',
         b'\xc3\xa9t\xc3\xa9', b'\xe2\x82\xac', b'\xf0\x9f\x98\x80', b'\xc0\x80', b'\xed\xa0\x80',
         b'\xf4\x90\x80\x80', b'\x80', b'\xe2\x82', b'a\x00b', b'\x01', b'\x7f', b'\xc2\x85',
         b'x' * 300]
for i, t in enumerate(texts):
    put('validate', bytes([i * 37 & 0xff]) + t)

def elist(pairs):
    b = bytes([len(pairs)])
    for k, v in pairs:
        b += bytes([len(k)]) + k + bytes([len(v)]) + v
    return b
A = [(b'a', b'1'), (b'b', b'2'), (b'sip.phoneNumber', b'+1555')]
U = [(b'b', b''), (b'c', b'3'), (b'c', b'4'), (b'lk.agent.state', b'idle')]
B = [(b'a', b'1'), (b'c', b'9'), (b'\xc3\xa9', b'\xe2\x82\xac')]
for ob in (0x04, 0x06, 0x45, 0x86, 0x0c, 0x02):
    put('merge', bytes([ob, 0x37]) + elist(A) + elist(U) + elist(B))

for t, b in vectors:
    if t in ('livekit.SignalRequest', 'livekit.SignalResponse'):
        put('pbc_signal', b)
        put('npb_signal', b)
    if t in HOT:
        put('lkproto_decode', bytes([HOT.index(t)]) + b)
    else:
        put('lkproto_decode', b'\x80\x00\x00' + b)

if os.path.exists(jsonl):
    for n, line in enumerate(open(jsonl)):
        if n % 4:
            continue
        rec = json.loads(line)
        if rec.get('type') in HOT:
            put('lkproto_encode', bytes([HOT.index(rec['type'])]) +
                json.dumps(rec['json'], ensure_ascii=False).encode())
for doc in ['{}', '{"identity":"a","attributes":{"k":"v","k":"w"}}',
            '{"version":1e400}', '{"version":"18446744073709551616"}',
            '[' * 200, '{"permission":{"canUpdateMetadata":true}}',
            '{"attributes":{"\\u0000":"x"}}', '{"joinedAt":"-1"}']:
    put('lkproto_encode', b'\x02' + doc.encode())

for s in [b'\x00{}', b'\x01eyJhbGciOiJIUzI1NiJ9.e30.x', b'\x00{"sub":"a","attributes":{"k":"v"}}']:
    put('token', s)
