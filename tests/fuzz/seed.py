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

# participant: the configuration byte, a u16-length initial ParticipantInfo,
# then operations (the format is described in fuzz_participant.c).
def u16(n):
    return struct.pack('>H', n)

def raw(b):  # a u16-length message (fz_bytes with max 4096)
    return u16(len(b)) + b

DICT = {b'': 0, b'a': 1, b'b': 2, b'c': 3, b'color': 4, b'k': 5, b'aa': 6, b'ab': 7,
        b'lk.agent.state': 8, b'lk.agent.x': 9, b'lk.agent': 10, b'lk.x': 11, b'lk.': 12,
        b'sip.phoneNumber': 13, b'sip.': 14, b'ingress.y': 15, b'\xc3\xa9': 16}

def pick(t):  # a text: a dictionary word, or its bytes
    return bytes([0x80 | DICT[t]]) if t in DICT else bytes([len(t)]) + t

def pairs(ps):
    return bytes([len(ps)]) + b''.join(pick(k) + pick(v) for k, v in ps)

def rules(origin=0, grant=True, skip=False, echo=True, env=False, mode=0, lim=0):
    return bytes([origin | grant << 2 | skip << 3 | echo << 4 | env << 5 | mode << 6, lim])

def apply_raw(kind, upd, r=None, resp=0):
    return bytes([kind]) + (r or rules()) + bytes([resp]) + raw(upd)

def apply_built(kind, ps, md=None, name=None, rid=None, fl=0, r=None, resp=0):
    fl |= (md is not None) | (name is not None) << 1 | (rid is not None) << 2
    b = bytes([kind | 8]) + (r or rules()) + bytes([resp, fl, len(ps)])
    if md is not None: b += pick(md)
    if name is not None: b += pick(name)
    b += b''.join(pick(k) + pick(v) for k, v in ps)
    if rid is not None: b += bytes([rid])
    return b

def upm(ps, md=b'', name=b'', rid=0, no=(1, 2, 3, 4)):
    b = (ld(no[0], md) if md else b'') + (ld(no[1], name) if name else b'')
    b += b''.join(entry(no[2], k, v) for k, v in ps)
    return b + (varint(no[3] << 3) + varint(rid) if rid else b'')

def info_msg(ps, md=b'', name=b'', version=0, extra=b''):
    b = ld(1, b'PA_x') + ld(2, b'alice') + varint(3 << 3) + varint(1) + extra
    b += (ld(5, md) if md else b'') + (ld(9, name) if name else b'')
    b += varint(10 << 3) + varint(version) if version else b''
    return b + b''.join(entry(15, k, v) for k, v in ps) + ld(100, b'unknown')

def seed(cfg, info, *ops):
    put('participant', bytes([cfg]) + raw(info) + b''.join(ops))

A = [(b'a', b'1'), (b'color', b'red'), (b'sip.phoneNumber', b'+1555')]
info = info_msg(A, md=b'{"x":1}', name=b'Alice', version=7)
sig = ld(15, upm([(b'color', b'blue'), (b'a', b''), (b'new', b'v')], rid=9))
for cfg in (0, 1, 2, 3):
    seed(cfg, info, apply_raw(0, sig, rules(env=True)), b'\x07', b'\x17', b'\x1f')
seed(3, info, apply_raw(1, upm([(b'k', b'v')], md=b'm', name=b'n', rid=3)),
     apply_raw(2, ld(1, b'room') + upm([(b'k', b'')], md=b'm2', no=(3, 5, 6, 0)), rules(2)))
seed(3, info, apply_raw(0, sig, rules(grant=False)))                      # NOT_ALLOWED
seed(3, info, apply_raw(0, ld(15, upm([(b'lk.agent.state', b'idle')])), rules(1)),
     apply_raw(0, ld(15, upm([(b'lk.agent.state', b'idle')])), rules(0)),
     apply_raw(0, ld(15, upm([(b'lk.agent.state', b'idle')])), rules(0, skip=True)))
seed(3, b'', apply_built(0, [(b'a', b'1'), (b'b', b'22'), (b'c', b'333')],
                         r=rules(mode=2, lim=0x5d)),
     apply_built(1, [(b'x' * 9, b'1')], r=rules(mode=2, lim=0x3f)))     # limits
seed(0, info, apply_built(0, [(b'k%d' % i, b'v') for i in range(6)]))   # NOSPACE
seed(3, b'', apply_raw(0, b'\x7a\x05\x0a\x01k'),                       # truncated
     apply_raw(0, varint(15 << 3) + b'\x01'),                           # wrong wire type
     apply_raw(0, ld(15, upm([(b'k', b'v')])) + varint(14 << 3) + b'\x01'),  # ping arm last
     apply_raw(0, varint(14 << 3) + b'\x01' + ld(15, upm([(b'k', b'v')]))),  # ping arm first
     apply_raw(0, ld(15, upm([(b'k', b'v')])) + varint(9 << 3) + b'\x01'))   # unknown field
seed(3, b'', apply_built(0, [(b'a', b'1'), (b'b', b'2')], md=b'm', name=b'n', rid=5,
                         fl=0x08 | 0x10),
     apply_built(2, [(b'a', b'')], md=b'm', fl=0x40 | 0x80), b'\x07')
seed(3, info,
     b'\x05' + rules(0) + pairs([(b'a', b'0'), (b'b', b'1')]) +
     pairs([(b'b', b'2'), (b'c', b'3'), (b'c', b'')]),
     b'\x06' + rules(0) + pairs([(b't', b'1')]) +
     raw(ld(3, b'md') + b''.join(entry(4, k, v) for k, v in A)),
     b'\x0e' + rules(0, grant=False) + pairs([]) + bytes([0x83, 2]) + pick(b'ci') + pick(b'md') +
     pick(b'k') + pick(b'v') + pick(b'lk.x') + pick(b'v'))
seed(3, b'', b'\x0f' + u16(0) + u16(7) + bytes([5]) + raw(b'no') + b'\x01' + u16(300),
     b'\x0f' + u16(1) + u16(0) + bytes([0]) + raw(b'') + b'\x00' + u16(0))
seed(3, b'', b'\x0b\x05' + b'\x00' + pick(b'b') + pick(b'2') + b'\x00' + pick(b'a') + pick(b'1') +
     b'\x03' + pick(b'md') + b'\x05' + b'\x04' + pick(b'name'),
     b'\x0c\x02' + b'\x07' + pick(b'x') + b'\x15\x00')
# a hostile initial info: unsorted, a key twice, an empty value, name twice, a 64-bit
# version, an entry value first with a two-byte key length
seed(3, entry(15, b'b', b'2') + entry(15, b'a', b'1') + entry(15, b'a', b'') + ld(9, b'n') +
     ld(9, b'') + varint(10 << 3) + varint(1 << 33 | 5) + b'\x7a\x07\x12\x01v\x0a\x81\x00k',
     b'\x17')
seed(3, b'\x7a\x03\x0a\x01\xc0', b'\x03' + raw(info))                  # bad UTF-8, then load
seed(1, b'', b'\x05' + rules(2) + pairs([(bytes([c]), b'1') for c in b'abcdefgh']) +
     pairs([(b'z', b'1')]))                                              # more entries than fit
seed(0x20, info, bytes([0x20 | 0]) + rules() + b'\x00' + raw(sig), bytes([0x40 | 3]) + raw(info),
     bytes([0x60 | 5]) + rules(2) + pairs([(b'a', b'1')] * 3) + pairs([(b'b', b'2')] * 20))

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
