// Token interop: livekit-server-sdk 2.19.2 (AccessToken, TokenVerifier) against
// the C library, through the lktoken command-line tool (whose logic is library
// calls).  Seeded random claim sets both ways:
//   sdk->C  tokens minted by AccessToken verify in C, and the claims C returns
//           equal the payload the SDK signed (and every claim asked of the SDK);
//   C->sdk  tokens minted in C verify with TokenVerifier, and the payload equals
//           the claims given to C.
// Then a few refusals both ways (wrong secret, expired, alg none).
// usage: node interop.mjs --bin build/bin/lktoken [--n 200] [--seed S]
// Prints "token interop: N/N sdk->C, N/N C->sdk equal" and exits 1 on any
// difference.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessToken, TokenVerifier } from 'livekit-server-sdk';
import { RoomConfiguration, TrackSource } from '@livekit/protocol';
import * as jose from 'jose';

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const BIN = arg('--bin', 'build/bin/lktoken');
const N = Number(arg('--n', '200'));
const SEED = Number(arg('--seed', '20240611'));

// mulberry32: small seeded PRNG.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(SEED);
const int = (n) => Math.floor(rand() * n);
const chance = (p) => rand() < p;
const pick = (a) => a[int(a.length)];

// Characters: ASCII, 2-, 3- and 4-byte UTF-8, JSON escapes, U+2028.
const KEY_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789._-:/ ', 'é', 'ß', '中', '文', '😀', '𝄞', '"', '\\', '\u2028'];
const VALUE_CHARS = [...KEY_CHARS, '\n', '\t', '\u0001', '\u007f'];
const str = (chars, min, max) => {
  let s = '';
  const n = min + int(max - min + 1);
  for (let i = 0; i < n; i++) s += pick(chars);
  return s;
};

const VIDEO_BOOLS = ['roomCreate', 'roomJoin', 'roomList', 'roomRecord', 'roomAdmin', 'ingressAdmin',
  'canPublish', 'canSubscribe', 'canPublishData', 'canUpdateOwnMetadata', 'hidden', 'recorder', 'agent',
  'canSubscribeMetrics', 'canManageAgentSession'];
const SOURCES = [['camera', TrackSource.CAMERA], ['microphone', TrackSource.MICROPHONE],
  ['screen_share', TrackSource.SCREEN_SHARE], ['screen_share_audio', TrackSource.SCREEN_SHARE_AUDIO]];

function randomAttributes() {
  const a = {};
  const n = int(12);
  for (let i = 0; i < n; i++) a[str(KEY_CHARS, 1, 24)] = chance(0.1) ? '' : str(VALUE_CHARS, 0, 60);
  if (chance(0.2)) a['sip.phoneNumber'] = '+15550100';
  if (chance(0.1)) a[str([...'abcdefghij'], 256, 256)] = str(VALUE_CHARS, 100, 2000); // longest key (256 bytes), long value
  return a;
}

function randomVideo(withNames) {
  const v = {};
  for (const b of VIDEO_BOOLS) if (chance(0.4)) v[b] = chance(0.5);
  if (chance(0.7)) v.room = str(KEY_CHARS, 0, 20);
  if (chance(0.2)) v.destinationRoom = str(KEY_CHARS, 1, 20);
  if (chance(0.3)) {
    const s = SOURCES.filter(() => chance(0.5));
    v.canPublishSources = s.map(([name, num]) => (withNames ? name : num));
  }
  return v;
}

const bools = (names) => {
  const o = {};
  for (const n of names) if (chance(0.5)) o[n] = chance(0.5);
  return o;
};

function randomRoomConfig() {
  return new RoomConfiguration({
    name: str(KEY_CHARS, 0, 10),
    emptyTimeout: int(600),
    maxParticipants: int(100),
    metadata: str(VALUE_CHARS, 0, 20),
    agents: chance(0.5) ? [{ agentName: str(KEY_CHARS, 1, 8), metadata: str(VALUE_CHARS, 0, 10) }] : [],
  });
}

// Canonical form for comparison: object keys sorted; canPublishSources in
// the C library's fixed order (a set on both sides).
function canon(x, path = '') {
  if (Array.isArray(x)) {
    const a = x.map((e) => canon(e, path + '[]'));
    if (path === '.video.canPublishSources') a.sort((p, q) => SOURCES.findIndex((s) => s[0] === p) - SOURCES.findIndex((s) => s[0] === q));
    return a;
  }
  if (x && typeof x === 'object') {
    const o = {};
    for (const k of Object.keys(x).sort()) o[k] = canon(x[k], path + '.' + k);
    return o;
  }
  return x;
}
const same = (a, b) => JSON.stringify(canon(a)) === JSON.stringify(canon(b));

const dir = mkdtempSync(join(tmpdir(), 'lktoken-interop-'));
const API_KEY = 'APIinterop';
const SECRET = 'sëcret-for-interop-tests-0123456789-abcdef'; // UTF-8 bytes on both sides
const secretFile = join(dir, 'secret');
writeFileSync(secretFile, SECRET);

function runC(cmd, lines, extra = []) {
  const out = execFileSync(BIN, [cmd, '--lines', '--secret-file', secretFile, '--api-key', API_KEY, ...extra], {
    input: lines.join('\n') + '\n',
    maxBuffer: 1 << 28,
    env: { PATH: process.env.PATH },
  }).toString('utf8');
  return out.split('\n').slice(0, -1);
}
function runCAllowFail(cmd, lines, extra = []) {
  try {
    return runC(cmd, lines, extra);
  } catch (e) {
    return e.stdout.toString('utf8').split('\n').slice(0, -1);
  }
}

let failures = 0;
const fail = (msg) => {
  failures++;
  if (failures <= 10) console.error('FAIL ' + msg);
};

// ---------------------------------------------------------------- sdk -> C
const sdkTokens = [];
const sdkExpected = [];
for (let i = 0; i < N; i++) {
  const opts = { ttl: 3600 + int(3600) };
  if (chance(0.9)) opts.identity = str(KEY_CHARS, 1, 30);
  if (chance(0.6)) opts.name = str(VALUE_CHARS, 1, 30);
  if (chance(0.5)) opts.metadata = str(VALUE_CHARS, 1, 200);
  if (chance(0.7)) opts.attributes = randomAttributes();
  const at = new AccessToken(API_KEY, SECRET, opts);
  if (chance(0.85)) {
    const v = randomVideo(false);
    if (!opts.identity) delete v.roomJoin;
    at.addGrant(v);
  }
  if (chance(0.3)) at.addSIPGrant(bools(['admin', 'call']));
  if (chance(0.2)) at.addInferenceGrant(bools(['perform']));
  if (chance(0.2)) at.addObservabilityGrant(bools(['write']));
  if (chance(0.4)) at.kind = pick(['standard', 'agent', 'sip', 'ingress', 'egress', 'connector']);
  if (chance(0.2)) at.sha256 = str([...'0123456789abcdef'], 64, 64);
  if (chance(0.2)) at.roomPreset = str(KEY_CHARS, 1, 12);
  if (chance(0.3)) at.roomConfig = randomRoomConfig();
  const token = await at.toJwt();
  const payload = jose.decodeJwt(token);
  // The SDK wrote every claim asked of it.
  if (opts.identity !== undefined && payload.sub !== opts.identity) fail(`sdk ${i}: sub not written`);
  if (opts.attributes && !same(payload.attributes, opts.attributes)) fail(`sdk ${i}: attributes not written`);
  if (at.roomConfig && !same(payload.roomConfig, JSON.parse(JSON.stringify(at.roomConfig)))) fail(`sdk ${i}: roomConfig`);
  sdkTokens.push(token);
  sdkExpected.push(payload);
}
const verified = runCAllowFail('verify', sdkTokens);
let sdkOk = 0;
for (let i = 0; i < N; i++) {
  const line = verified[i] ?? '(missing)';
  if (line.startsWith('error')) {
    fail(`sdk->C ${i}: C refused: ${line}`);
    continue;
  }
  const got = JSON.parse(line);
  if (same(got, sdkExpected[i])) sdkOk++;
  else fail(`sdk->C ${i}:\n  sdk ${JSON.stringify(canon(sdkExpected[i]))}\n  C   ${JSON.stringify(canon(got))}`);
}

// ---------------------------------------------------------------- C -> sdk
const now = Math.floor(Date.now() / 1000);
const cClaims = [];
for (let i = 0; i < N; i++) {
  const c = { nbf: now - int(100), exp: now + 600 + int(3600) };
  if (chance(0.9)) c.sub = str(KEY_CHARS, 1, 30);
  if (chance(0.3)) c.iat = now - int(100);
  if (chance(0.3)) c.jti = str(KEY_CHARS, 1, 20);
  if (chance(0.6)) c.name = str(VALUE_CHARS, 0, 30);
  if (chance(0.5)) c.metadata = str(VALUE_CHARS, 0, 200);
  if (chance(0.7)) c.attributes = randomAttributes();
  if (chance(0.85)) c.video = randomVideo(true);
  if (chance(0.3)) c.sip = bools(['admin', 'call']);
  if (chance(0.2)) c.inference = bools(['perform']);
  if (chance(0.2)) c.observability = bools(['write']);
  if (chance(0.4)) c.kind = pick(['standard', 'agent', 'sip', 'ingress', 'egress']);
  if (chance(0.2)) c.sha256 = str([...'0123456789abcdef'], 64, 64);
  if (chance(0.2)) c.roomPreset = str(KEY_CHARS, 1, 12);
  if (chance(0.3)) c.roomConfig = JSON.parse(JSON.stringify(randomRoomConfig()));
  cClaims.push(c);
}
const cTokens = runCAllowFail('mint', cClaims.map((c) => JSON.stringify(c)));
const verifier = new TokenVerifier(API_KEY, SECRET);
let cOk = 0;
for (let i = 0; i < N; i++) {
  const token = cTokens[i] ?? '(missing)';
  if (token.startsWith('error')) {
    fail(`C->sdk ${i}: C refused to mint: ${token}`);
    continue;
  }
  try {
    const payload = await verifier.verify(token);
    const expected = { ...cClaims[i], iss: API_KEY };
    if (same(payload, expected)) cOk++;
    else fail(`C->sdk ${i}:\n  C   ${JSON.stringify(canon(expected))}\n  sdk ${JSON.stringify(canon(payload))}`);
  } catch (e) {
    fail(`C->sdk ${i}: the SDK refused: ${e.message}`);
  }
}

// ---------------------------------------------------------------- refusals
// Each must be refused by both sides.
const expiredAt = new AccessToken(API_KEY, SECRET, { identity: 'x', ttl: 1 });
const base = await new AccessToken(API_KEY, SECRET, { identity: 'x' }).toJwt();
const [h, p] = base.split('.');
const none = Buffer.from('{"alg":"none"}').toString('base64url') + '.' + p + '.';
const hs384 = await new jose.SignJWT(jose.decodeJwt(base)).setProtectedHeader({ alg: 'HS384' })
  .sign(new TextEncoder().encode(SECRET));
const wrongSecret = await new AccessToken(API_KEY, SECRET + 'x', { identity: 'x' }).toJwt();
const tampered = h + '.' + Buffer.from(JSON.stringify({ ...jose.decodeJwt(base), sub: 'y' })).toString('base64url') + '.' + base.split('.')[2];
const expired = await expiredAt.toJwt();
// [name, token, word in C's error, does the SDK refuse it too?]  The SDK's
// TokenVerifier (jose jwtVerify without an algorithms list) accepts HS384 and
// HS512 under the same secret; the C library accepts HS256 only, on purpose.
const cases = [['alg none', none, 'algorithm', true], ['HS384', hs384, 'algorithm', false],
  ['wrong secret', wrongSecret, 'signature', true], ['tampered payload', tampered, 'signature', true],
  ['truncated', base.slice(0, base.lastIndexOf('.')), 'malformed', true]];
const refusedLines = runCAllowFail('verify', cases.map((c) => c[1]));
let refusals = 0;
for (let i = 0; i < cases.length; i++) {
  const [name, tok, word, sdkRefuses] = cases[i];
  const line = refusedLines[i] ?? '';
  let sdkRefused = false;
  try {
    await verifier.verify(tok);
  } catch {
    sdkRefused = true;
  }
  if (!line.startsWith('error') || !line.includes(word)) fail(`refusal ${name}: C said ${line}`);
  else if (sdkRefused !== sdkRefuses) fail(`refusal ${name}: the SDK ${sdkRefused ? 'refused' : 'accepted'} it`);
  else refusals++;
}
// Expired: verify in C at a time past exp + leeway.
const expLine = runCAllowFail('verify', [expired], ['--now', String(now + 1 + 11)])[0] ?? '';
if (!expLine.includes('expired')) fail(`refusal expired: C said ${expLine}`);
else refusals++;
// A C token under another secret is refused by the SDK.
const cOther = cTokens.find((t) => !t.startsWith('error'));
try {
  await new TokenVerifier(API_KEY, SECRET + 'x').verify(cOther);
  fail('refusal: the SDK accepted a C token under another secret');
} catch {
  refusals++;
}

rmSync(dir, { recursive: true, force: true });
console.log(`token interop: ${sdkOk}/${N} sdk->C, ${cOk}/${N} C->sdk equal; ${refusals}/${cases.length + 2} refusals agree (seed ${SEED})`);
process.exit(failures === 0 && sdkOk === N && cOk === N ? 0 : 1);
